package io.portcullis.resilience;

import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.JitterMode;
import io.portcullis.resilience.ScriptedAttempts.AttemptFailure;
import io.portcullis.resilience.ScriptedAttempts.Reply;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryOperatorTest {

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
  private static final RequestTraits GET = new RequestTraits("GET", false, true);
  private static final RequestTraits POST = new RequestTraits("POST", false, true);
  private static final long SEED = 7;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final RecordingListener listener = new RecordingListener();

  private static RetryPolicy policy(int maxAttempts, JitterMode jitter, long baseMs, long maxMs) {
    return new RetryPolicy(maxAttempts, baseMs, maxMs, jitter, 0, true, true, true,
        Set.of(502, 503, 504), IDEMPOTENT);
  }

  private RetryOperator operator(RetryPolicy policy) {
    return operator(policy, new RetryBudget(1.0, 1_000, ticker));
  }

  private RetryOperator operator(RetryPolicy policy, RetryBudget budget) {
    return new RetryOperator(policy, budget, scheduler, new Random(SEED), listener);
  }

  private static ScriptedAttempts script(Outcome... outcomes) {
    return new ScriptedAttempts(List.of(outcomes));
  }

  private static Reply reply(Future<Reply> result) {
    assertThat(result.succeeded()).as("succeeded: %s", result).isTrue();
    return result.result();
  }

  private static AttemptFailure failure(Future<Reply> result) {
    assertThat(result.failed()).as("failed: %s", result).isTrue();
    return (AttemptFailure) result.cause();
  }

  // ---- delays ------------------------------------------------------------------------------

  @Test
  void fullJitterSleepsAreExactForASeededGenerator() {
    RetryOperator operator = operator(policy(5, JitterMode.FULL, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503));

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);
    scheduler.fireAll();

    Random expected = new Random(SEED);
    List<Long> fromFormula = new ArrayList<>();
    for (int retry = 1; retry <= 4; retry++) {
      fromFormula.add(expected.nextLong(0, Math.min(250, 25L << (retry - 1)) + 1));
    }
    assertThat(scheduler.delays()).isEqualTo(fromFormula).containsExactly(0L, 1L, 69L, 105L);
    assertThat(reply(result).attempt()).isEqualTo(5);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.MAX_ATTEMPTS);
  }

  @Test
  void firstAttemptStartsAtOnceAndEachRetryWaitsForItsTimer() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503), Outcome.response(200));

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);

    assertThat(attempts.started).isEqualTo(1);
    assertThat(result.isComplete()).isFalse();
    assertThat(scheduler.delays()).containsExactly(25L);
    scheduler.fireNext();
    assertThat(attempts.started).isEqualTo(2);
    assertThat(reply(result).attempt()).isEqualTo(2);
    assertThat(listener.events).containsExactly("attempt 1", "retry 2 after 25ms on 503",
        "attempt 2", "give-up success on 200");
  }

  @Test
  void decorrelatedJitterFeedsEachSleepIntoTheNext() {
    RetryOperator operator = operator(policy(4, JitterMode.DECORRELATED, 25, 250));

    operator.execute(Deadline.after(10_000, ticker), GET, script(Outcome.reset()));
    scheduler.fireAll();

    Random expected = new Random(SEED);
    List<Long> fromFormula = new ArrayList<>();
    long previous = 25;
    for (int retry = 1; retry <= 3; retry++) {
      previous = Math.min(250, expected.nextLong(25, previous * 3 + 1));
      fromFormula.add(previous);
    }
    assertThat(scheduler.delays()).isEqualTo(fromFormula);
  }

  // ---- deadline ----------------------------------------------------------------------------

  @Test
  void stopsBeforeASleepThatWouldReachTheDeadlineAndReturnsTheLastOutcome() {
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 60, 1_000));
    ScriptedAttempts attempts = script(Outcome.response(503), Outcome.response(502));

    Future<Reply> result = operator.execute(Deadline.after(100, ticker), GET, attempts);
    scheduler.fireAll(); // sleeps 60 ms; then 120 ms >= 40 ms left

    assertThat(scheduler.delays()).containsExactly(60L);
    assertThat(attempts.started).isEqualTo(2);
    assertThat(reply(result).outcome()).isEqualTo(Outcome.response(502));
    assertThat(listener.giveUps).containsExactly(GiveUpReason.DEADLINE);
  }

  @Test
  void aSleepEndingExactlyAtTheDeadlineIsNotTaken() {
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 100, 1_000));
    ScriptedAttempts attempts = script(Outcome.reset());

    Future<Reply> result = operator.execute(Deadline.after(100, ticker), GET, attempts);

    assertThat(scheduler.delays()).isEmpty();
    assertThat(failure(result).attempt).isEqualTo(1);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.DEADLINE);
  }

  @Test
  void deadlinePassedDuringTheSleepStartsNoAttempt() {
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503));
    Future<Reply> result = operator.execute(Deadline.after(100, ticker), GET, attempts);

    ticker.advanceMillis(200); // the timer fires late
    scheduler.fireNext();

    assertThat(attempts.started).isEqualTo(1);
    assertThat(reply(result).attempt()).isEqualTo(1);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.DEADLINE);
  }

  // ---- classification ----------------------------------------------------------------------

  @Test
  void eachOutcomeKindIsRetriedOnlyWhenRetryOnEnablesIt() {
    RetryOperator all = operator(policy(3, JitterMode.NONE, 25, 250));
    RetryOperator none = operator(new RetryPolicy(3, 25, 250, JitterMode.NONE, 0,
        false, false, false, Set.of(), IDEMPOTENT));

    Object[][] table = {
        // outcome, decision with everything enabled, decision with nothing enabled
        {Outcome.connectFailure(), retry(25), stop(GiveUpReason.NOT_RETRYABLE)},
        {Outcome.reset(), retry(25), stop(GiveUpReason.NOT_RETRYABLE)},
        {Outcome.perTryTimeout(), retry(25), stop(GiveUpReason.NOT_RETRYABLE)},
        {Outcome.response(503), retry(25), stop(GiveUpReason.SUCCESS)},
        {Outcome.response(500), stop(GiveUpReason.SUCCESS), stop(GiveUpReason.SUCCESS)},
        {Outcome.response(200), stop(GiveUpReason.SUCCESS), stop(GiveUpReason.SUCCESS)},
        {Outcome.circuitOpen(), stop(GiveUpReason.NOT_RETRYABLE), stop(GiveUpReason.NOT_RETRYABLE)},
        {Outcome.cancelled(), stop(GiveUpReason.NOT_RETRYABLE), stop(GiveUpReason.NOT_RETRYABLE)},
        {Outcome.otherFailure(), stop(GiveUpReason.NOT_RETRYABLE),
            stop(GiveUpReason.NOT_RETRYABLE)},
    };
    for (Object[] row : table) {
      Outcome outcome = (Outcome) row[0];
      assertThat(all.decide(1, outcome, GET, 10_000, 25)).as("all, %s", outcome.label())
          .isEqualTo(row[1]);
      assertThat(none.decide(1, outcome, GET, 10_000, 25)).as("none, %s", outcome.label())
          .isEqualTo(row[2]);
    }
  }

  @Test
  void eachRetryOnFlagEnablesOnlyItsOwnKind() {
    RetryOperator onlyReset = operator(new RetryPolicy(3, 25, 250, JitterMode.NONE, 0,
        false, true, false, Set.of(), IDEMPOTENT));

    assertThat(onlyReset.decide(1, Outcome.reset(), GET, 10_000, 25)).isEqualTo(retry(25));
    assertThat(onlyReset.decide(1, Outcome.connectFailure(), GET, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.NOT_RETRYABLE));
    assertThat(onlyReset.decide(1, Outcome.perTryTimeout(), GET, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.NOT_RETRYABLE));
  }

  @Test
  void circuitOpenIsNeverRetried() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.circuitOpen());

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);

    assertThat(failure(result).outcome).isEqualTo(Outcome.circuitOpen());
    assertThat(attempts.started).isEqualTo(1);
    assertThat(listener.events).containsExactly("attempt 1",
        "give-up not-retryable on circuit-open");
  }

  // ---- idempotency and replay --------------------------------------------------------------

  @Test
  void doesNotRetryPostOn503OrReset() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));

    assertThat(operator.decide(1, Outcome.response(503), POST, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.NOT_IDEMPOTENT));
    assertThat(operator.decide(1, Outcome.reset(), POST, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.NOT_IDEMPOTENT));
    assertThat(operator.decide(1, Outcome.perTryTimeout(), POST, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.NOT_IDEMPOTENT));

    ScriptedAttempts attempts = script(Outcome.response(503));
    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), POST, attempts);
    assertThat(attempts.started).isEqualTo(1);
    assertThat(reply(result).outcome().status()).isEqualTo(503);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.NOT_IDEMPOTENT);
  }

  @Test
  void retriesPostAfterAConnectFailure() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.connectFailure(), Outcome.response(201));

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), POST, attempts);
    scheduler.fireAll();

    assertThat(reply(result).outcome().status()).isEqualTo(201);
    assertThat(attempts.started).isEqualTo(2);
  }

  @Test
  void retriesPostCarryingAnIdempotencyKey() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    RequestTraits keyed = new RequestTraits("POST", true, true);

    assertThat(operator.decide(1, Outcome.response(503), keyed, 10_000, 25)).isEqualTo(retry(25));
    assertThat(operator.decide(1, Outcome.reset(), keyed, 10_000, 25)).isEqualTo(retry(25));
  }

  @Test
  void methodsAreCaseSensitive() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));

    assertThat(operator.decide(1, Outcome.reset(), new RequestTraits("get", false, true),
        10_000, 25)).isEqualTo(stop(GiveUpReason.NOT_IDEMPOTENT));
  }

  @Test
  void neverRetriesANonReplayableBody() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));

    for (Outcome outcome : List.of(Outcome.connectFailure(), Outcome.reset(),
        Outcome.response(503))) {
      assertThat(operator.decide(1, outcome, new RequestTraits("PUT", false, false), 10_000, 25))
          .as(outcome.label()).isEqualTo(stop(GiveUpReason.BODY_NOT_REPLAYABLE));
      assertThat(operator.decide(1, outcome, new RequestTraits("POST", true, false), 10_000, 25))
          .as(outcome.label()).isEqualTo(stop(GiveUpReason.BODY_NOT_REPLAYABLE));
    }
    assertThat(operator.decide(1, Outcome.connectFailure(), new RequestTraits("POST", false, false),
        10_000, 25)).isEqualTo(stop(GiveUpReason.BODY_NOT_REPLAYABLE));
  }

  // ---- limits ------------------------------------------------------------------------------

  @Test
  void stopsAfterMaxAttemptsWithTheLastFailure() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.reset());

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);
    scheduler.fireAll();

    assertThat(attempts.started).isEqualTo(3);
    assertThat(failure(result).attempt).isEqualTo(3);
    assertThat(scheduler.delays()).containsExactly(25L, 50L);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.MAX_ATTEMPTS);
    assertThat(operator.decide(3, Outcome.reset(), GET, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.MAX_ATTEMPTS));
  }

  @Test
  void maxAttemptsOfOneNeverRetries() {
    RetryOperator operator = operator(policy(1, JitterMode.NONE, 25, 250));

    assertThat(operator.decide(1, Outcome.connectFailure(), GET, 10_000, 25))
        .isEqualTo(stop(GiveUpReason.MAX_ATTEMPTS));
  }

  @Test
  void stopsWhenTheRetryBudgetIsSpent() {
    RetryBudget budget = new RetryBudget(0, 0.1, ticker); // one retry per 10 s window
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 25, 250), budget);

    ScriptedAttempts first = script(Outcome.response(503));
    Future<Reply> firstResult = operator.execute(Deadline.after(10_000, ticker), GET, first);
    scheduler.fireAll();
    ScriptedAttempts second = script(Outcome.response(503));
    Future<Reply> secondResult = operator.execute(Deadline.after(10_000, ticker), GET, second);
    scheduler.fireAll();

    assertThat(first.started).isEqualTo(2);
    assertThat(reply(firstResult).attempt()).isEqualTo(2);
    assertThat(second.started).isEqualTo(1);
    assertThat(reply(secondResult).attempt()).isEqualTo(1);
    assertThat(listener.giveUps)
        .containsExactly(GiveUpReason.BUDGET_EXHAUSTED, GiveUpReason.BUDGET_EXHAUSTED);
    assertThat(budget.retriesInWindow()).isEqualTo(1);
  }

  @Test
  void decideDoesNotTouchTheBudget() {
    RetryBudget budget = new RetryBudget(0, 0.1, ticker);
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 25, 250), budget);

    for (int i = 0; i < 5; i++) {
      assertThat(operator.decide(1, Outcome.reset(), GET, 10_000, 25)).isEqualTo(retry(25));
    }
    assertThat(budget.retriesInWindow()).isZero();
  }

  // ---- cancellation and endpoints ----------------------------------------------------------

  @Test
  void cancelDuringTheSleepCompletesAtOnceAndStartsNoAttempt() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503));
    Deadline deadline = Deadline.after(10_000, ticker);
    Future<Reply> result = operator.execute(deadline, GET, attempts);
    assertThat(result.isComplete()).isFalse();

    deadline.cancel(Deadline.CancelReason.CLIENT_GONE);

    assertThat(reply(result).attempt()).isEqualTo(1);
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(scheduler.cancelledCount()).isEqualTo(1);
    assertThat(attempts.started).isEqualTo(1);
    assertThat(attempts.discarded).isEmpty();
    assertThat(listener.events).containsExactly("attempt 1", "give-up cancelled on 503");
  }

  @Test
  void aTimerFiringAfterTheCancelIsIgnored() {
    Scheduler neverCancels = (delayMs, task) -> {
      scheduler.schedule(delayMs, task);
      return () -> false;
    };
    RetryOperator operator = new RetryOperator(policy(3, JitterMode.NONE, 25, 250),
        new RetryBudget(1, 100, ticker), neverCancels, new Random(SEED), listener);
    ScriptedAttempts attempts = script(Outcome.response(503));
    Deadline deadline = Deadline.after(10_000, ticker);
    Future<Reply> result = operator.execute(deadline, GET, attempts);

    deadline.cancel(Deadline.CancelReason.ABORTED);
    scheduler.fireAll();

    assertThat(attempts.started).isEqualTo(1);
    assertThat(reply(result).attempt()).isEqualTo(1);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.CANCELLED);
  }

  @Test
  void cancelDuringAnAttemptEndsWithThatAttemptsResult() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.reset());
    attempts.manualCompletion = true;
    Deadline deadline = Deadline.after(10_000, ticker);
    Future<Reply> result = operator.execute(deadline, GET, attempts);

    deadline.cancel(Deadline.CancelReason.CLIENT_GONE);
    assertThat(result.isComplete()).isFalse(); // the attempt is still in flight
    attempts.completeManual(1);

    assertThat(failure(result).attempt).isEqualTo(1);
    assertThat(scheduler.delays()).isEmpty();
    assertThat(listener.giveUps).containsExactly(GiveUpReason.CANCELLED);
  }

  @Test
  void theCancelRegistrationIsRemovedWhenExecuteCompletes() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    Deadline deadline = Deadline.after(10_000, ticker);
    operator.execute(deadline, GET, script(Outcome.response(200)));

    deadline.cancel(Deadline.CancelReason.COMPLETED);

    assertThat(listener.giveUps).containsExactly(GiveUpReason.SUCCESS);
  }

  @Test
  void stopsWithNoEndpointWhenNoneIsLeftAfterTheSleep() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503));
    attempts.canAttempt = false;

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);
    assertThat(attempts.canAttemptCalls).isZero(); // the first attempt does not ask
    scheduler.fireAll();

    assertThat(attempts.started).isEqualTo(1);
    assertThat(reply(result).attempt()).isEqualTo(1);
    assertThat(attempts.discarded).isEmpty();
    assertThat(listener.events).containsExactly("attempt 1", "give-up no-endpoint on 503");
  }

  @Test
  void discardsOnlyTheSuccessfulResultsThatAreReplaced() {
    RetryOperator operator = operator(policy(5, JitterMode.NONE, 25, 250));
    ScriptedAttempts attempts = script(Outcome.response(503), Outcome.reset(),
        Outcome.response(502), Outcome.response(200));

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET, attempts);
    scheduler.fireAll();

    assertThat(attempts.discarded).extracting(Reply::attempt).containsExactly(1, 3);
    assertThat(reply(result).attempt()).isEqualTo(4);
  }

  @Test
  void aThrowingAttemptIsAFailedAttemptNotACrash() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    Attempts<String> attempts = new Attempts<>() {
      int calls;

      @Override
      public Future<String> attempt(int attemptNumber) {
        calls++;
        if (calls == 1) {
          throw new IllegalStateException("no connection");
        }
        return Future.succeededFuture("ok " + attemptNumber);
      }

      @Override
      public Outcome classify(io.vertx.core.AsyncResult<String> result) {
        return result.succeeded() ? Outcome.response(200) : Outcome.connectFailure();
      }
    };

    Future<String> result = operator.execute(Deadline.after(10_000, ticker), POST, attempts);
    scheduler.fireAll();

    assertThat(result.result()).isEqualTo("ok 2");
  }

  @Test
  void aThrowingListenerDoesNotDisturbTheRequest() {
    RetryListener throwing = new RetryListener() {
      @Override
      public void onAttempt(int attempt) {
        throw new IllegalStateException("metrics down");
      }

      @Override
      public void onGiveUp(GiveUpReason reason, Outcome last) {
        throw new IllegalStateException("metrics down");
      }
    };
    RetryOperator operator = new RetryOperator(policy(3, JitterMode.NONE, 25, 250),
        new RetryBudget(1, 100, ticker), scheduler, new Random(SEED), throwing);

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET,
        script(Outcome.reset(), Outcome.response(200)));
    scheduler.fireAll();

    assertThat(reply(result).attempt()).isEqualTo(2);
  }

  @Test
  void aSchedulerThatCannotScheduleEndsTheRunWithTheLastResult() {
    Scheduler closed = (delayMs, task) -> {
      throw new IllegalStateException("vertx closed");
    };
    RetryOperator operator = new RetryOperator(policy(3, JitterMode.NONE, 25, 250),
        new RetryBudget(1, 100, ticker), closed, new Random(SEED), listener);

    Future<Reply> result = operator.execute(Deadline.after(10_000, ticker), GET,
        script(Outcome.response(503)));

    assertThat(reply(result).attempt()).isEqualTo(1);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.CANCELLED);
  }

  @Test
  void anAlreadyCancelledDeadlineEndsAfterTheFirstAttempt() {
    RetryOperator operator = operator(policy(3, JitterMode.NONE, 25, 250));
    Deadline deadline = Deadline.after(10_000, ticker);
    deadline.cancel(Deadline.CancelReason.CLIENT_GONE);
    ScriptedAttempts attempts = script(Outcome.cancelled());

    Future<Reply> result = operator.execute(deadline, GET, attempts);

    assertThat(failure(result).outcome).isEqualTo(Outcome.cancelled());
    assertThat(attempts.started).isEqualTo(1);
    assertThat(listener.giveUps).containsExactly(GiveUpReason.CANCELLED);
  }

  // ---- listener ----------------------------------------------------------------------------

  @Test
  void theListenerReceivesEveryGiveUpWithItsReason() {
    record Case(GiveUpReason reason, Runnable run) {}
    List<Case> cases = List.of(
        new Case(GiveUpReason.SUCCESS, () -> run(GET, 10_000, script(Outcome.response(200)))),
        new Case(GiveUpReason.NOT_RETRYABLE, () -> run(GET, 10_000, script(Outcome.otherFailure()))),
        new Case(GiveUpReason.MAX_ATTEMPTS, () -> run(GET, 10_000, script(Outcome.reset()))),
        new Case(GiveUpReason.NOT_IDEMPOTENT, () -> run(POST, 10_000, script(Outcome.reset()))),
        new Case(GiveUpReason.BODY_NOT_REPLAYABLE,
            () -> run(new RequestTraits("GET", false, false), 10_000, script(Outcome.reset()))),
        new Case(GiveUpReason.DEADLINE, () -> run(GET, 10, script(Outcome.reset()))),
        new Case(GiveUpReason.BUDGET_EXHAUSTED, () -> {
          RetryOperator broke = operator(policy(3, JitterMode.NONE, 25, 250),
              new RetryBudget(0, 0, ticker));
          broke.execute(Deadline.after(10_000, ticker), GET, script(Outcome.reset()));
        }),
        new Case(GiveUpReason.NO_ENDPOINT, () -> {
          ScriptedAttempts attempts = script(Outcome.reset());
          attempts.canAttempt = false;
          run(GET, 10_000, attempts);
        }),
        new Case(GiveUpReason.CANCELLED, () -> {
          Deadline deadline = Deadline.after(10_000, ticker);
          operator(policy(3, JitterMode.NONE, 25, 250))
              .execute(deadline, GET, script(Outcome.reset()));
          deadline.cancel(Deadline.CancelReason.CLIENT_GONE);
        }));
    assertThat(cases).extracting(Case::reason).containsExactly(GiveUpReason.values());

    for (Case c : cases) {
      listener.giveUps.clear();
      c.run().run();
      scheduler.fireAll();
      assertThat(listener.giveUps).as(c.reason().label()).containsExactly(c.reason());
    }
  }

  private void run(RequestTraits traits, long budgetMs, ScriptedAttempts attempts) {
    operator(policy(3, JitterMode.NONE, 25, 250))
        .execute(Deadline.after(budgetMs, ticker), traits, attempts);
    scheduler.fireAll();
  }

  private static RetryDecision retry(long delayMs) {
    return new RetryDecision.Retry(delayMs);
  }

  private static RetryDecision stop(GiveUpReason reason) {
    return new RetryDecision.Stop(reason);
  }
}
