package io.portcullis.resilience;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Per-request state of one {@link RetryOperator#execute} call: the attempt count, the last
 * result, the backoff timer and the deadline registration.
 *
 * <p>A three-phase state machine ({@code ATTEMPTING -> SLEEPING -> ATTEMPTING ... -> DONE})
 * moved by CAS, so that an attempt's completion, the sleep timer and a cancel arriving from
 * another thread can neither start two attempts nor complete the result twice.
 *
 * @param <T> the result of one attempt
 */
final class RetryExecution<T> implements Handler<AsyncResult<T>>, Runnable {

  private enum Phase { ATTEMPTING, SLEEPING, DONE }

  private final RetryOperator operator;
  private final Deadline deadline;
  private final RequestTraits traits;
  private final Attempts<T> attempts;
  private final RetryListener listener;
  private final Promise<T> promise = Promise.promise();
  /** Moves {@code phase} by CAS without an extra object per request. */
  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<RetryExecution, Phase> PHASE =
      AtomicReferenceFieldUpdater.newUpdater(RetryExecution.class, Phase.class, "phase");
  private volatile Phase phase = Phase.ATTEMPTING;

  // Written before the phase CAS that publishes them, read after a phase read: the volatile
  // phase orders them across threads.
  private int attemptsMade;
  private long previousDelayMs;
  private AsyncResult<T> lastResult;
  private Outcome lastOutcome;
  private volatile Scheduler.Cancellable sleepTimer;
  /** Registered at the first sleep; null until then. */
  private Deadline.Registration cancelRegistration;

  RetryExecution(RetryOperator operator, Deadline deadline, RequestTraits traits,
      Attempts<T> attempts) {
    this.operator = operator;
    this.deadline = deadline;
    this.traits = traits;
    this.attempts = attempts;
    this.listener = operator.listener();
    this.previousDelayMs = operator.policy().baseDelayMs();
  }

  Future<T> start() {
    // No cancel callback while attempting (the attempt reacts to the cancel itself): it is
    // registered at the first sleep, so a request answered by its first attempt registers none.
    runAttempt(1);
    return promise.future();
  }

  private void runAttempt(int attemptNumber) {
    attemptsMade = attemptNumber;
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
      // A throwing attempt is a failed attempt, judged like any other.
      future = Future.failedFuture(e);
    }
    future.onComplete(this); // handle(): onAttemptComplete
  }

  /** An attempt's result (this object is its listener: no extra allocation per attempt). */
  @Override
  public void handle(AsyncResult<T> result) {
    onAttemptComplete(result);
  }

  /** The deadline's cancel (this object is its callback). */
  @Override
  public void run() {
    onCancelled();
  }

  private void onAttemptComplete(AsyncResult<T> result) {
    lastResult = result;
    lastOutcome = classify(result);
    if (deadline.isCancelled()) {
      finish(Phase.ATTEMPTING, GiveUpReason.CANCELLED);
      return;
    }
    RetryDecision decision = operator.decide(attemptsMade, lastOutcome, traits,
        deadline.remainingMillis(), previousDelayMs);
    if (decision instanceof RetryDecision.Stop) {
      finish(Phase.ATTEMPTING, ((RetryDecision.Stop) decision).reason());
      return;
    }
    long delayMs = ((RetryDecision.Retry) decision).delayMs();
    if (!operator.budget().tryAcquireRetry()) {
      finish(Phase.ATTEMPTING, GiveUpReason.BUDGET_EXHAUSTED);
      return;
    }
    previousDelayMs = delayMs;
    int nextAttempt = attemptsMade + 1;
    phase = Phase.SLEEPING;
    try {
      sleepTimer = operator.scheduler().schedule(delayMs, () -> onSleepEnd(nextAttempt, delayMs));
    } catch (RuntimeException e) {
      // No timer (e.g. Vert.x is closing): the run cannot go on, like an abort.
      Unexpected.report("Scheduler.schedule", e);
      finish(Phase.SLEEPING, GiveUpReason.CANCELLED);
      return;
    }
    if (cancelRegistration == null) {
      // Runs onCancelled at once if the cancel landed since the check above: the sleep ends now.
      cancelRegistration = deadline.onCancel(this); // run(): onCancelled
    } else if (deadline.isCancelled()) {
      // The cancel landed between the check above and the phase change, and its callback saw
      // ATTEMPTING and did nothing: end the sleep now.
      onCancelled();
    }
  }

  private void onSleepEnd(int nextAttempt, long delayMs) {
    if (!PHASE.compareAndSet(this, Phase.SLEEPING, Phase.ATTEMPTING)) {
      return; // cancelled meanwhile; the result is already complete
    }
    sleepTimer = null;
    if (deadline.isCancelled()) {
      finish(Phase.ATTEMPTING, GiveUpReason.CANCELLED);
      return;
    }
    if (deadline.expired() || deadline.remainingMillis() <= 0) {
      finish(Phase.ATTEMPTING, GiveUpReason.DEADLINE);
      return;
    }
    if (!canAttempt()) {
      finish(Phase.ATTEMPTING, GiveUpReason.NO_ENDPOINT);
      return;
    }
    if (lastResult.succeeded()) {
      try {
        attempts.discard(lastResult.result());
      } catch (RuntimeException e) {
        Unexpected.report("Attempts.discard", e);
      }
    }
    try {
      listener.onRetry(nextAttempt, delayMs, lastOutcome);
    } catch (RuntimeException e) {
      Unexpected.report("RetryListener.onRetry", e);
    }
    runAttempt(nextAttempt);
  }

  private void onCancelled() {
    if (!PHASE.compareAndSet(this, Phase.SLEEPING, Phase.DONE)) {
      // ATTEMPTING: the caller's attempt reacts to the cancel and its result ends the run.
      // DONE: nothing left to do.
      return;
    }
    Scheduler.Cancellable timer = sleepTimer;
    if (timer != null) {
      timer.cancel();
    }
    complete(GiveUpReason.CANCELLED);
  }

  private void finish(Phase from, GiveUpReason reason) {
    if (PHASE.compareAndSet(this, from, Phase.DONE)) {
      complete(reason);
    }
  }

  /** Runs once, after the winning transition to DONE. */
  private void complete(GiveUpReason reason) {
    Deadline.Registration registration = cancelRegistration;
    if (registration != null) {
      registration.remove();
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

  private Outcome classify(AsyncResult<T> result) {
    try {
      Outcome outcome = attempts.classify(result);
      if (outcome != null) {
        return outcome;
      }
      Unexpected.report("Attempts.classify",
          new NullPointerException("Attempts.classify returned null"));
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
