package io.portcullis.resilience;

import java.util.Locale;

/** Why the retry operator did not retry; every such decision is reported with its reason. */
public enum GiveUpReason {
  /** The outcome was fine (a response whose status is not retryable): nothing to retry. */
  SUCCESS,
  /** The outcome's kind is not enabled in {@code retryOn}, or is never retryable. */
  NOT_RETRYABLE,
  /** {@code maxAttempts} attempts were made. */
  MAX_ATTEMPTS,
  /** The method is not idempotent, no {@code Idempotency-Key}, and bytes reached the upstream. */
  NOT_IDEMPOTENT,
  /** The request body was not buffered for replay. */
  BODY_NOT_REPLAYABLE,
  /** The backoff sleep would end at or past the deadline, or the deadline passed. */
  DEADLINE,
  /** The process-wide retry budget is spent. */
  BUDGET_EXHAUSTED,
  /** No endpoint is available for another attempt. */
  NO_ENDPOINT,
  /** The request was cancelled. */
  CANCELLED;

  private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

  /**
   * Returns the metric label, in kebab case (e.g. {@code budget-exhausted}).
   *
   * @return the label
   */
  public String label() {
    return label;
  }
}
