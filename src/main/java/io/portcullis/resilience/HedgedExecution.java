package io.portcullis.resilience;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Per-request state of a hedged {@link RetryOperator#execute} call (README "Hedged requests"):
 * while no response head has arrived {@link HedgePolicy#delayMs()} after the last attempt started,
 * one more attempt starts, up to {@link HedgePolicy#maxHedges()} extra attempts in flight. The
 * first response head that the retry policy does not retry wins; every other attempt still in
 * flight is reset through {@link Attempts#cancel}. When every attempt in flight has ended without
 * a winner, the retry rules decide as for one attempt ({@link RetryOperator#decide}), and a retry
 * may hedge again.
 *
 * <p>Each hedge spends the retry budget (none left: no hedge), counts toward {@code maxAttempts},
 * and is never scheduled past the deadline. At most one timer is pending per request: the hedge
 * timer while attempts are in flight (cancelled when a response head arrives), or the backoff
 * sleep when none is.
 *
 * <p>Confined to the request's event loop, like its {@link Deadline}: the attempts' results, the
 * timers of the {@link Scheduler} and the deadline's cancel all run there, so the state is in plain
 * fields.
 *
 * @param <T> the result of one attempt
 */
final class HedgedExecution<T> {

  /** Attempt numbers are bits of a long. */
  private static final int MAX_TRACKED = 63;

  private final RetryOperator operator;
  private final HedgePolicy hedge;
  private final Deadline deadline;
  private final RequestTraits traits;
  private final Attempts<T> attempts;
  private final RetryListener listener;
  private final Promise<T> promise = Promise.promise();
  private final Runnable onHedgeTimer = this::onHedgeTimer;
  private final Runnable onSleepEnd = this::onSleepEnd;

  private int attemptsMade;
  /** Bit n: attempt n is in flight. */
  private long inFlight;
  /** Bit n: attempt n was a hedge. */
  private long hedges;
  private long previousDelayMs;
  private long hedgeDelayMs;
  private AsyncResult<T> lastResult;
  private Outcome lastOutcome;
  private int lastAttempt;
  private Scheduler.Cancellable timer;
  private boolean done;
  private Deadline.Registration cancelRegistration;

  HedgedExecution(RetryOperator operator, HedgePolicy hedge, Deadline deadline, RequestTraits traits,
      Attempts<T> attempts) {
    this.operator = operator;
    this.hedge = hedge;
    this.deadline = deadline;
    this.traits = traits;
    this.attempts = attempts;
    this.listener = operator.listener();
    this.previousDelayMs = operator.policy().baseDelayMs();
  }

  Future<T> start() {
    cancelRegistration = deadline.onCancel(this::onCancelled);
    launch(1);
    return promise.future();
  }

  private void launch(int attemptNumber) {
    attemptsMade = attemptNumber;
    if (attemptNumber <= MAX_TRACKED) {
      inFlight |= 1L << attemptNumber;
    }
    try {
      listener.onAttempt(attemptNumber);
    } catch (RuntimeException e) {
      Unexpected.report("RetryListener.onAttempt", e);
    }
    Future<T> future;
    try {
      future = attempts.attempt(attemptNumber);
      if (future == null) {
        future = Future.failedFuture(new NullPointerException("Attempts.attempt returned null"));
      }
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    // Armed before the result is listened to, so that a result already there cancels it.
    armHedge();
    future.onComplete(result -> onAttemptComplete(attemptNumber, result));
  }

  /** Schedules the next hedge, if one may start: the one timer of this request. */
  private void armHedge() {
    cancelTimer();
    if (done || Long.bitCount(inFlight) > hedge.maxHedges() || attemptsMade >= operator.policy().maxAttempts()
        || attemptsMade >= MAX_TRACKED) {
      return;
    }
    long delayMs = hedge.delayMs();
    if (delayMs < 0 || delayMs >= deadline.remainingMillis() || deadline.isCancelled()) {
      return; // too few latency samples, or the hedge would start at or past the deadline
    }
    hedgeDelayMs = delayMs;
    timer = schedule(delayMs, onHedgeTimer);
  }

  private void onHedgeTimer() {
    timer = null;
    if (done || inFlight == 0 || deadline.isCancelled() || deadline.remainingMillis() <= 0) {
      return;
    }
    if (!canAttempt() || !operator.budget().tryAcquireRetry()) {
      return; // no endpoint, or no retry budget left: no hedge
    }
    int next = attemptsMade + 1;
    hedges |= 1L << next;
    try {
      listener.onHedge(next, hedgeDelayMs);
    } catch (RuntimeException e) {
      Unexpected.report("RetryListener.onHedge", e);
    }
    launch(next);
  }

  private void onAttemptComplete(int attemptNumber, AsyncResult<T> result) {
    if (done) {
      if (result.succeeded() && result != lastResult) {
        // A head that arrived after another attempt had won: reset it.
        try {
          attempts.abort(result.result());
        } catch (RuntimeException e) {
          Unexpected.report("Attempts.abort", e);
        }
      }
      return;
    }
    inFlight &= ~(1L << attemptNumber);
    Outcome outcome = classify(result);
    if (result.succeeded()) {
      cancelTimer(); // a response head arrived: no hedge after it
    }
    keep(attemptNumber, result, outcome);
    if (deadline.isCancelled()) {
      if (inFlight == 0) {
        finish(GiveUpReason.CANCELLED);
      }
      return;
    }
    if (outcome.kind() == Outcome.Kind.RESPONSE && !operator.policy().retriesOn(outcome)) {
      finish(GiveUpReason.SUCCESS);
      return;
    }
    if (inFlight != 0) {
      return; // the attempts still in flight may yet win
    }
    cancelTimer();
    RetryDecision decision = operator.decide(attemptsMade, lastOutcome, traits, deadline.remainingMillis(),
        previousDelayMs);
    if (decision instanceof RetryDecision.Stop stop) {
      finish(stop.reason());
      return;
    }
    long delayMs = ((RetryDecision.Retry) decision).delayMs();
    if (!operator.budget().tryAcquireRetry()) {
      finish(GiveUpReason.BUDGET_EXHAUSTED);
      return;
    }
    previousDelayMs = delayMs;
    timer = schedule(delayMs, onSleepEnd);
    if (timer == null) {
      finish(GiveUpReason.CANCELLED);
    }
  }

  private void onSleepEnd() {
    timer = null;
    if (done) {
      return;
    }
    if (deadline.isCancelled()) {
      finish(GiveUpReason.CANCELLED);
      return;
    }
    if (deadline.expired() || deadline.remainingMillis() <= 0) {
      finish(GiveUpReason.DEADLINE);
      return;
    }
    if (!canAttempt()) {
      finish(GiveUpReason.NO_ENDPOINT);
      return;
    }
    if (lastResult.succeeded()) {
      discard(lastResult.result());
    }
    int next = attemptsMade + 1;
    try {
      listener.onRetry(next, previousDelayMs, lastOutcome);
    } catch (RuntimeException e) {
      Unexpected.report("RetryListener.onRetry", e);
    }
    launch(next);
  }

  private void onCancelled() {
    if (done) {
      return;
    }
    cancelTimer();
    if (inFlight == 0) {
      finish(GiveUpReason.CANCELLED); // sleeping: the last result is the answer
    }
    // Otherwise each attempt in flight is reset by the cancel and its result ends the run.
  }

  /** Makes {@code result} the one to answer with, dropping a response held before it. */
  private void keep(int attemptNumber, AsyncResult<T> result, Outcome outcome) {
    if (lastResult != null && lastResult.succeeded()) {
      discard(lastResult.result());
    }
    lastResult = result;
    lastOutcome = outcome;
    lastAttempt = attemptNumber;
  }

  private void finish(GiveUpReason reason) {
    done = true;
    cancelTimer();
    cancelRegistration.remove();
    for (long rest = inFlight; rest != 0; rest &= rest - 1) {
      int attempt = Long.numberOfTrailingZeros(rest);
      try {
        attempts.cancel(attempt);
      } catch (RuntimeException e) {
        Unexpected.report("Attempts.cancel", e);
      }
    }
    boolean answered = lastResult.succeeded();
    for (long rest = hedges; rest != 0; rest &= rest - 1) {
      int attempt = Long.numberOfTrailingZeros(rest);
      try {
        listener.onHedgeResult(attempt, answered && attempt == lastAttempt);
      } catch (RuntimeException e) {
        Unexpected.report("RetryListener.onHedgeResult", e);
      }
    }
    try {
      listener.onGiveUp(reason, lastOutcome);
    } catch (RuntimeException e) {
      Unexpected.report("RetryListener.onGiveUp", e);
    }
    if (lastResult.succeeded()) {
      promise.complete(lastResult.result());
    } else {
      promise.fail(lastResult.cause());
    }
  }

  private Scheduler.Cancellable schedule(long delayMs, Runnable task) {
    try {
      return operator.scheduler().schedule(delayMs, task);
    } catch (RuntimeException e) {
      Unexpected.report("Scheduler.schedule", e);
      return null;
    }
  }

  private void cancelTimer() {
    Scheduler.Cancellable t = timer;
    if (t != null) {
      timer = null;
      t.cancel();
    }
  }

  private void discard(T result) {
    try {
      attempts.discard(result);
    } catch (RuntimeException e) {
      Unexpected.report("Attempts.discard", e);
    }
  }

  private Outcome classify(AsyncResult<T> result) {
    try {
      Outcome outcome = attempts.classify(result);
      if (outcome != null) {
        return outcome;
      }
      Unexpected.report("Attempts.classify", new NullPointerException("Attempts.classify returned null"));
    } catch (RuntimeException e) {
      Unexpected.report("Attempts.classify", e);
    }
    return Outcome.otherFailure();
  }

  private boolean canAttempt() {
    try {
      return attempts.canAttempt();
    } catch (RuntimeException e) {
      Unexpected.report("Attempts.canAttempt", e);
      return false;
    }
  }
}
