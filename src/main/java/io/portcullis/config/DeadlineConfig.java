package io.portcullis.config;

import java.util.Objects;

/**
 * Request deadlines (JSON object {@code deadline}, README "How a request flows").
 *
 * @param header the request header a client may use to shorten its deadline, and that carries
 *     the milliseconds left to each upstream attempt; an HTTP field name (token); default
 *     {@code "X-Request-Timeout-Ms"}
 * @param defaultMs the budget of a route without {@code timeoutMs}, >= 1 and at most {@code maxMs};
 *     default {@code 15000}
 * @param maxMs the largest budget any request gets, whatever it asks for, >= 1; default
 *     {@code 60000}
 */
public record DeadlineConfig(String header, long defaultMs, long maxMs) {

  /** Default {@link #header()}. */
  public static final String DEFAULT_HEADER = "X-Request-Timeout-Ms";
  /** Default {@link #defaultMs()}. */
  public static final long DEFAULT_DEFAULT_MS = 15_000L;
  /** Default {@link #maxMs()}. */
  public static final long DEFAULT_MAX_MS = 60_000L;

  /** Checks that no component is null. */
  public DeadlineConfig {
    Objects.requireNonNull(header, "header");
  }

  /** The configuration used when the JSON has no {@code deadline} object. */
  public static DeadlineConfig defaults() {
    return new DeadlineConfig(DEFAULT_HEADER, DEFAULT_DEFAULT_MS, DEFAULT_MAX_MS);
  }
}
