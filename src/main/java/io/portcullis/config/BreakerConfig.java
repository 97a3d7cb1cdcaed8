package io.portcullis.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The circuit breaker of each endpoint of an upstream (JSON {@code circuitBreaker}, README "How a request flows").
 *
 * @param maxFailures failures within {@code rollingWindowMs} that open the breaker, >= 1; default
 *     {@code 5}
 * @param rollingWindowMs the window failures are counted in, >= 1000 (the breaker counts in whole
 *     seconds); default {@code 10000}
 * @param resetTimeoutMs how long an open breaker keeps its endpoint out before going half-open,
 *     >= 1; default {@code 5000}
 * @param failureStatuses upstream statuses that count as failures, each 100..599 (connect
 *     failures, resets and per-try timeouts always count); unmodifiable, in the order given;
 *     default {@code [500, 502, 503, 504]}
 */
public record BreakerConfig(
    int maxFailures, long rollingWindowMs, long resetTimeoutMs, Set<Integer> failureStatuses) {

  /** Default {@link #maxFailures()}. */
  public static final int DEFAULT_MAX_FAILURES = 5;
  /** Default {@link #rollingWindowMs()}. */
  public static final long DEFAULT_ROLLING_WINDOW_MS = 10_000L;
  /** Default {@link #resetTimeoutMs()}. */
  public static final long DEFAULT_RESET_TIMEOUT_MS = 5_000L;
  /** Default {@link #failureStatuses()}. */
  public static final Set<Integer> DEFAULT_FAILURE_STATUSES =
      Immutables.orderedSet(List.of(500, 502, 503, 504), "failureStatuses");

  /** Copies {@code failureStatuses} into an unmodifiable set. */
  public BreakerConfig {
    failureStatuses = Immutables.orderedSet(failureStatuses, "failureStatuses");
  }

  // Written out rather than generated: a record's generated equals and hashCode are linked on first
  // use through java.lang.runtime.ObjectMethods, whose method-handle set-up start-up paid for
  // (docs/performance.md "Start-up, third pass").
  @Override
  public boolean equals(Object other) {
    return other instanceof BreakerConfig that && maxFailures == that.maxFailures
        && rollingWindowMs == that.rollingWindowMs && resetTimeoutMs == that.resetTimeoutMs
        && failureStatuses.equals(that.failureStatuses);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxFailures, rollingWindowMs, resetTimeoutMs, failureStatuses);
  }

  /** The breaker used when an upstream has no {@code circuitBreaker} object. */
  public static BreakerConfig defaults() {
    return new BreakerConfig(DEFAULT_MAX_FAILURES, DEFAULT_ROLLING_WINDOW_MS, DEFAULT_RESET_TIMEOUT_MS,
        DEFAULT_FAILURE_STATUSES);
  }
}
