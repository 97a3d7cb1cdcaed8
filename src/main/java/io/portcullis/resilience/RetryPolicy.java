package io.portcullis.resilience;

import io.portcullis.config.JitterMode;
import io.portcullis.config.RetryConfig;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Static retry policy, built once per route and upstream from the effective {@link RetryConfig}.
 *
 * @param maxAttempts attempts in total, first one included, {@code >= 1}
 * @param baseDelayMs base of the exponential backoff, {@code >= 0}
 * @param maxDelayMs cap of the backoff, {@code >= 0}
 * @param jitter the jitter mode, see {@link Backoff}
 * @param perTryTimeoutMs timeout of one attempt, {@code 0} for none (applied by the caller)
 * @param onConnectFailure retry after a connect failure ({@code retryOn: "connect-failure"})
 * @param onReset retry after a reset ({@code retryOn: "reset"})
 * @param onPerTryTimeout retry after a per-try timeout ({@code retryOn: "per-try-timeout"})
 * @param onStatuses response statuses that are retried (e.g. {@code 503}); held as a
 *     {@link StatusSet}, so the check on every response boxes nothing
 * @param idempotentMethods methods that may be replayed after bytes reached the upstream
 */
public record RetryPolicy(int maxAttempts, long baseDelayMs, long maxDelayMs, JitterMode jitter,
    long perTryTimeoutMs, boolean onConnectFailure, boolean onReset, boolean onPerTryTimeout,
    Set<Integer> onStatuses, Set<String> idempotentMethods) {

  /** {@code retryOn} token for connect failures. */
  public static final String CONNECT_FAILURE = "connect-failure";
  /** {@code retryOn} token for resets. */
  public static final String RESET = "reset";
  /** {@code retryOn} token for per-try timeouts. */
  public static final String PER_TRY_TIMEOUT = "per-try-timeout";

  /**
   * Validates the fields and makes the sets immutable copies ({@code onStatuses} a {@link StatusSet}).
   *
   * @param maxAttempts attempts in total
   * @param baseDelayMs base delay
   * @param maxDelayMs backoff cap
   * @param jitter jitter mode
   * @param perTryTimeoutMs per-try timeout, 0 for none
   * @param onConnectFailure retry on connect failure
   * @param onReset retry on reset
   * @param onPerTryTimeout retry on per-try timeout
   * @param onStatuses retried statuses
   * @param idempotentMethods replayable methods
   */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (baseDelayMs < 0) {
      throw new IllegalArgumentException("baseDelayMs: " + baseDelayMs + " (expected: >= 0)");
    }
    if (maxDelayMs < 0) {
      throw new IllegalArgumentException("maxDelayMs: " + maxDelayMs + " (expected: >= 0)");
    }
    if (perTryTimeoutMs < 0) {
      throw new IllegalArgumentException(
          "perTryTimeoutMs: " + perTryTimeoutMs + " (expected: >= 0)");
    }
    Objects.requireNonNull(jitter, "jitter");
    onStatuses = onStatuses instanceof StatusSet held ? held : StatusSet.of(onStatuses);
    idempotentMethods = Set.copyOf(idempotentMethods);
  }

  /**
   * Builds the policy from a validated configuration.
   *
   * @param c the effective retry configuration of a route and upstream
   * @return the policy
   * @throws IllegalArgumentException if a {@code retryOn} token is none of {@code
   *     connect-failure}, {@code reset}, {@code per-try-timeout} or a 3-digit status
   */
  public static RetryPolicy from(RetryConfig c) {
    Objects.requireNonNull(c, "c");
    boolean connectFailure = false;
    boolean reset = false;
    boolean perTryTimeout = false;
    Set<Integer> statuses = new HashSet<>();
    for (String token : c.retryOn()) {
      switch (token) {
        case CONNECT_FAILURE:
          connectFailure = true;
          break;
        case RESET:
          reset = true;
          break;
        case PER_TRY_TIMEOUT:
          perTryTimeout = true;
          break;
        default:
          statuses.add(parseStatus(token));
      }
    }
    return new RetryPolicy(c.maxAttempts(), c.baseDelayMs(), c.maxDelayMs(), c.jitter(),
        c.perTryTimeoutMs(), connectFailure, reset, perTryTimeout, statuses, c.methods());
  }

  /**
   * Tells whether this policy's {@code retryOn} covers an outcome. A {@code RESPONSE} is covered
   * when its status is in {@link #onStatuses()}; connect failures, resets and per-try timeouts per
   * their flags; circuit-open, cancelled and other failures never.
   *
   * @param o the outcome of an attempt
   * @return {@code true} if the outcome is retryable under this policy
   */
  public boolean retriesOn(Outcome o) {
    switch (o.kind()) {
      case RESPONSE:
        return ((StatusSet) onStatuses).contains(o.status()); // a StatusSet: see the constructor
      case CONNECT_FAILURE:
        return onConnectFailure;
      case RESET:
        return onReset;
      case PER_TRY_TIMEOUT:
        return onPerTryTimeout;
      default:
        return false;
    }
  }

  private static int parseStatus(String token) {
    if (token.length() == 3 && token.chars().allMatch(ch -> ch >= '0' && ch <= '9')
        && token.charAt(0) != '0') {
      return Integer.parseInt(token);
    }
    throw new IllegalArgumentException("retryOn: unknown condition \"" + token
        + "\" (expected: connect-failure, reset, per-try-timeout or a 3-digit status)");
  }
}
