package io.portcullis.resilience;

import java.util.Objects;

/** Pure decision after an attempt: retry after a delay, or stop with a reason. */
public sealed interface RetryDecision permits RetryDecision.Retry, RetryDecision.Stop {

  /**
   * Retry after sleeping.
   *
   * @param delayMs the sleep before the next attempt, in milliseconds, {@code >= 0}
   */
  record Retry(long delayMs) implements RetryDecision {
    /**
     * Validates the delay.
     *
     * @param delayMs the sleep in milliseconds
     */
    public Retry {
      if (delayMs < 0) {
        throw new IllegalArgumentException("delayMs: " + delayMs + " (expected: >= 0)");
      }
    }
  }

  /**
   * Do not retry.
   *
   * @param reason why
   */
  record Stop(GiveUpReason reason) implements RetryDecision {
    /**
     * Validates the reason.
     *
     * @param reason why
     */
    public Stop {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
