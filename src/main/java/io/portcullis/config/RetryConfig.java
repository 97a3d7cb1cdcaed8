package io.portcullis.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The retry policy of an upstream (JSON {@code retry}, README "How a request flows").
 *
 * @param maxAttempts attempts in total, first one included, 1..10; default {@code 3}
 * @param baseDelayMs the backoff before the first retry grows from this, >= 1; default {@code 25}
 * @param maxDelayMs cap of any backoff sleep, >= {@code baseDelayMs}; default {@code 250}
 * @param jitter how sleeps are randomised; default {@link JitterMode#FULL}
 * @param perTryTimeoutMs time limit of one attempt, >= 0, below the route timeout; {@code 0} means
 *     none (only the request deadline applies); default {@code 0}
 * @param retryOn conditions that are retried: {@code "connect-failure"}, {@code "reset"},
 *     {@code "per-try-timeout"} or a status {@code "100"}..{@code "599"}; unmodifiable, in the
 *     order given; default {@code ["connect-failure", "reset", "per-try-timeout", "502", "503",
 *     "504"]}
 * @param methods upper-case HTTP methods that may be retried (a connect failure is retried for
 *     any method); unmodifiable, in the order given; default {@code ["GET", "HEAD", "OPTIONS",
 *     "PUT", "DELETE"]}
 * @param budgetRatio retries allowed per request over a 10 s window, 0..1; default {@code 0.2}
 * @param budgetMinPerSecond retries per second always allowed on top of the ratio, >= 0; default
 *     {@code 10}
 */
public record RetryConfig(
    int maxAttempts,
    long baseDelayMs,
    long maxDelayMs,
    JitterMode jitter,
    long perTryTimeoutMs,
    Set<String> retryOn,
    Set<String> methods,
    double budgetRatio,
    double budgetMinPerSecond) {

  /** Retry condition: the connection could not be established (no byte reached the upstream). */
  public static final String RETRY_ON_CONNECT_FAILURE = "connect-failure";
  /** Retry condition: the connection was reset before a response was complete. */
  public static final String RETRY_ON_RESET = "reset";
  /** Retry condition: the attempt exceeded {@code perTryTimeoutMs}. */
  public static final String RETRY_ON_PER_TRY_TIMEOUT = "per-try-timeout";

  /** Default {@link #maxAttempts()}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default {@link #baseDelayMs()}. */
  public static final long DEFAULT_BASE_DELAY_MS = 25L;
  /** Default {@link #maxDelayMs()}. */
  public static final long DEFAULT_MAX_DELAY_MS = 250L;
  /** Default {@link #jitter()}. */
  public static final JitterMode DEFAULT_JITTER = JitterMode.FULL;
  /** Default {@link #perTryTimeoutMs()}: no per-try timeout. */
  public static final long DEFAULT_PER_TRY_TIMEOUT_MS = 0L;
  /** Default {@link #retryOn()}. */
  public static final Set<String> DEFAULT_RETRY_ON = Immutables.orderedSet(
      List.of(RETRY_ON_CONNECT_FAILURE, RETRY_ON_RESET, RETRY_ON_PER_TRY_TIMEOUT, "502", "503", "504"),
      "retryOn");
  /** Default {@link #methods()}: the idempotent methods of RFC 9110 §9.2.2 but TRACE. */
  public static final Set<String> DEFAULT_METHODS =
      Immutables.orderedSet(List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), "methods");
  /** Default {@link #budgetRatio()}. */
  public static final double DEFAULT_BUDGET_RATIO = 0.2;
  /** Default {@link #budgetMinPerSecond()}. */
  public static final double DEFAULT_BUDGET_MIN_PER_SECOND = 10.0;

  /** Checks for nulls and copies the sets into unmodifiable ones. */
  public RetryConfig {
    Objects.requireNonNull(jitter, "jitter");
    retryOn = Immutables.orderedSet(retryOn, "retryOn");
    methods = Immutables.orderedSet(methods, "methods");
  }

  /** The policy used when an upstream has no {@code retry} object. */
  public static RetryConfig defaults() {
    return new RetryConfig(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS, DEFAULT_JITTER,
        DEFAULT_PER_TRY_TIMEOUT_MS, DEFAULT_RETRY_ON, DEFAULT_METHODS, DEFAULT_BUDGET_RATIO,
        DEFAULT_BUDGET_MIN_PER_SECOND);
  }
}
