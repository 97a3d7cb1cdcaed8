package io.portcullis.resilience;

/**
 * Listener for the side effects of the retry operator (metrics, logs). All methods default to
 * no-op. An exception thrown here is logged and does not disturb the request.
 */
public interface RetryListener {

  /** A listener that does nothing. */
  RetryListener NONE = new RetryListener() {};

  /**
   * An attempt is about to start.
   *
   * @param attempt the 1-based attempt number
   */
  default void onAttempt(int attempt) {}

  /**
   * A retry is about to start, after its backoff sleep (called before {@link #onAttempt}).
   *
   * @param nextAttempt the 1-based number of the attempt about to start ({@code >= 2})
   * @param delayMs how long the operator slept before it
   * @param previous the outcome of the previous attempt
   */
  default void onRetry(int nextAttempt, long delayMs, Outcome previous) {}

  /**
   * The operator stopped; called exactly once per {@code execute}, also for
   * {@link GiveUpReason#SUCCESS}.
   *
   * @param reason why it stopped
   * @param last the outcome of the last attempt, whose result the operator returns
   */
  default void onGiveUp(GiveUpReason reason, Outcome last) {}

  /**
   * A hedged attempt is about to start, while earlier attempts are still in flight (called
   * before {@link #onAttempt}).
   *
   * @param attempt the 1-based number of the hedged attempt ({@code >= 2})
   * @param delayMs how long after the previous attempt's start it starts
   */
  default void onHedge(int attempt, long delayMs) {}

  /**
   * A hedged attempt's part is over, once per hedge, when the request's attempts end.
   *
   * @param attempt the 1-based number of the hedged attempt
   * @param won whether its answer is the one returned
   */
  default void onHedgeResult(int attempt, boolean won) {}
}
