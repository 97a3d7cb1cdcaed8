package io.portcullis.config;

import java.util.Objects;

/**
 * The limit on requests in flight to one upstream, process-wide (JSON object
 * {@code upstreams.NAME.concurrency}). A request that finds the limit reached is answered at once
 * with 503 {@code overloaded}; nothing is sent upstream.
 *
 * <p>{@code 1 <= min <= initial <= max} always holds. When {@code min} or {@code initial} is not
 * given, its default is held within the bounds given ({@code "max": 10} alone gives
 * {@code min} 2 and {@code initial} 10).
 *
 * @param mode {@code off}, {@code fixed} or {@code adaptive}; default {@link #DEFAULT_MODE}
 * @param initial the adaptive limit before any latency was seen, in {@code min..max}; default
 *     {@code 20}
 * @param min the lowest adaptive limit, >= 1; default {@code 2}
 * @param max the fixed limit, and the highest adaptive one, >= 1; default {@code 1000}
 */
public record ConcurrencyConfig(ConcurrencyMode mode, int initial, int min, int max) {

  /**
   * Default {@link #mode()}: {@code off}. The one place the default is decided: the README's
   * configuration reference says why it is what it is.
   */
  public static final ConcurrencyMode DEFAULT_MODE = ConcurrencyMode.OFF;
  /** Default {@link #initial()} (held within {@code min..max}). */
  public static final int DEFAULT_INITIAL = 20;
  /** Default {@link #min()} (held at or below {@code max}). */
  public static final int DEFAULT_MIN = 2;
  /** Default {@link #max()}. */
  public static final int DEFAULT_MAX = 1000;

  /** Checks the mode for null and the bounds for {@code 1 <= min <= initial <= max}. */
  public ConcurrencyConfig {
    Objects.requireNonNull(mode, "mode");
    if (min < 1 || min > initial || initial > max) {
      throw new IllegalArgumentException("need 1 <= min <= initial <= max, got min " + min + ", initial "
          + initial + ", max " + max);
    }
  }

  /** The configuration used when an upstream has no {@code concurrency} object. */
  public static ConcurrencyConfig defaults() {
    return new ConcurrencyConfig(DEFAULT_MODE, DEFAULT_INITIAL, DEFAULT_MIN, DEFAULT_MAX);
  }

  /** Whether requests to the upstream are limited at all (the mode is not {@code off}). */
  public boolean limited() {
    return mode != ConcurrencyMode.OFF;
  }
}
