package io.portcullis.resilience;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;

/**
 * What the caller supplies per request to {@link RetryOperator#execute}: how to make one attempt
 * and how to judge its result.
 *
 * @param <T> the result of one attempt (e.g. an upstream response)
 */
public interface Attempts<T> {

  /**
   * Starts one attempt. A failed future (or a thrown exception) is a failed attempt, judged by
   * {@link #classify}.
   *
   * @param attemptNumber the 1-based attempt number
   * @return the attempt's result
   */
  Future<T> attempt(int attemptNumber);

  /**
   * Judges the result of one attempt.
   *
   * @param result the attempt's result, succeeded or failed
   * @return what it came to
   */
  Outcome classify(AsyncResult<T> result);

  /**
   * Tells whether another attempt can be made (e.g. an endpoint is still available). Asked after
   * each backoff sleep; {@code false} stops with {@link GiveUpReason#NO_ENDPOINT} and the last
   * result. Default: {@code true}.
   *
   * @return whether another attempt can start
   */
  default boolean canAttempt() {
    return true;
  }

  /**
   * Releases a successful result that will not be returned, because another attempt replaces it.
   * Called just before that attempt starts. Default: nothing.
   *
   * @param result the replaced result
   */
  default void discard(T result) {}

  /**
   * Resets an attempt still in flight whose result is no longer wanted, because a hedged attempt
   * won (README "Hedged requests"). Its result should then be a cancelled outcome, which is not a
   * breaker failure. Called only by hedged executions. Default: nothing.
   *
   * @param attemptNumber the 1-based number of the attempt to reset
   */
  default void cancel(int attemptNumber) {}

  /**
   * Aborts a successful result that arrived after another attempt had already won: unlike {@link
   * #discard}, the exchange is reset, not read to its end. Default: {@link #discard}.
   *
   * @param result the unwanted result
   */
  default void abort(T result) {
    discard(result);
  }
}
