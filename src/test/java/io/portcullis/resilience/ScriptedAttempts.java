package io.portcullis.resilience;

import io.portcullis.testkit.FakeTicker;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Attempts whose outcomes follow a script: a {@code RESPONSE} outcome is a succeeded attempt
 * ({@link Reply}), any other kind a failed one ({@link AttemptFailure}). Past the end of the
 * script the last outcome repeats. Checks that attempts are numbered 1, 2, 3... and that never
 * two are in flight.
 */
final class ScriptedAttempts implements Attempts<ScriptedAttempts.Reply> {

  /** The success value of an attempt. */
  record Reply(int attempt, Outcome outcome) {}

  /** The failure of an attempt. */
  static final class AttemptFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int attempt;
    final Outcome outcome;

    AttemptFailure(int attempt, Outcome outcome) {
      super("attempt " + attempt + ": " + outcome.label(), null, false, false);
      this.attempt = attempt;
      this.outcome = outcome;
    }
  }

  private final List<Outcome> script;
  private final FakeTicker ticker;
  private final long attemptDurationMs;
  final List<Reply> discarded = new ArrayList<>();
  final List<Promise<Reply>> manual = new ArrayList<>();
  boolean manualCompletion;
  boolean canAttempt = true;
  int canAttemptCalls;
  int started;
  private boolean inFlight;

  ScriptedAttempts(List<Outcome> script) {
    this(script, null, 0);
  }

  ScriptedAttempts(List<Outcome> script, FakeTicker ticker, long attemptDurationMs) {
    if (script.isEmpty()) {
      throw new IllegalArgumentException("empty script");
    }
    this.script = List.copyOf(script);
    this.ticker = ticker;
    this.attemptDurationMs = attemptDurationMs;
  }

  Outcome outcomeOf(int attempt) {
    return script.get(Math.min(attempt, script.size()) - 1);
  }

  @Override
  public Future<Reply> attempt(int attemptNumber) {
    if (inFlight) {
      throw new AssertionError("two attempts in flight");
    }
    if (attemptNumber != started + 1) {
      throw new AssertionError("attempt " + attemptNumber + " after " + started);
    }
    started = attemptNumber;
    inFlight = true;
    if (ticker != null) {
      ticker.advanceMillis(attemptDurationMs);
    }
    if (manualCompletion) {
      Promise<Reply> promise = Promise.promise();
      manual.add(promise);
      return promise.future();
    }
    return completed(attemptNumber);
  }

  /** Completes the manual attempt {@code attemptNumber} as scripted. */
  void completeManual(int attemptNumber) {
    Promise<Reply> promise = manual.get(attemptNumber - 1);
    Future<Reply> scripted = completed(attemptNumber);
    if (scripted.succeeded()) {
      promise.complete(scripted.result());
    } else {
      promise.fail(scripted.cause());
    }
  }

  private Future<Reply> completed(int attemptNumber) {
    inFlight = false;
    Outcome outcome = outcomeOf(attemptNumber);
    return outcome.kind() == Outcome.Kind.RESPONSE
        ? Future.succeededFuture(new Reply(attemptNumber, outcome))
        : Future.failedFuture(new AttemptFailure(attemptNumber, outcome));
  }

  @Override
  public Outcome classify(AsyncResult<Reply> result) {
    if (result.succeeded()) {
      return result.result().outcome();
    }
    if (result.cause() instanceof AttemptFailure) {
      return ((AttemptFailure) result.cause()).outcome;
    }
    return Outcome.connectFailure();
  }

  @Override
  public boolean canAttempt() {
    canAttemptCalls++;
    return canAttempt;
  }

  @Override
  public void discard(Reply result) {
    discarded.add(result);
  }
}
