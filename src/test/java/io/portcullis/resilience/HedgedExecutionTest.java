package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.JitterMode;
import io.portcullis.latency.LatencyHistogram;
import io.portcullis.latency.LatencyPercentile;
import io.portcullis.latency.LatencyRecorder;
import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hedge decision of the retry operator (README "Hedged requests") on a fake clock and scheduler. */
class HedgedExecutionTest {

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
  private static final RequestTraits GET = new RequestTraits("GET", false, true);
  private static final RequestTraits POST = new RequestTraits("POST", false, true);
  private static final RequestTraits POST_WITH_KEY = new RequestTraits("POST", true, true);
  private static final RequestTraits GET_STREAMED_BODY = new RequestTraits("GET", false, false);
  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final HedgeListener listener = new HedgeListener();
  private final ManualAttempts attempts = new ManualAttempts();

  private static RetryPolicy policy(int maxAttempts) {
    return new RetryPolicy(maxAttempts, 25, 250, JitterMode.NONE, 0, true, true, false, Set.of(502, 503, 504),
        IDEMPOTENT);
  }

  private RetryOperator operator(int maxAttempts, HedgePolicy hedge) {
    return operator(maxAttempts, hedge, new RetryBudget(1.0, 1_000, ticker));
  }

  private RetryOperator operator(int maxAttempts, HedgePolicy hedge, RetryBudget budget) {
    return new RetryOperator(policy(maxAttempts), budget, scheduler, new Random(1), listener, hedge);
  }

  // ---- when a hedge starts ------------------------------------------------------------------

  @Test
  void aHedgeStartsWhenNoHeadArrivedDelayMsAfterTheFirstAttemptAndTheFirstFinalHeadWins() {
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);

    assertThat(attempts.started()).isEqualTo(1);
    assertThat(scheduler.delays()).containsExactly(30L);
    scheduler.fireNext();
    assertThat(attempts.started()).as("the hedge").isEqualTo(2);
    assertThat(scheduler.pendingCount()).as("maxHedges 1: no second hedge").isZero();

    attempts.respond(2, 200);

    assertThat(result.result().attempt()).isEqualTo(2);
    assertThat(attempts.cancelled).as("the loser is reset").containsExactly(1);
    assertThat(listener.events).containsExactly("attempt 1", "hedge 2 after 30ms", "attempt 2", "hedge 2 won",
        "give-up success on 200");
  }

  @Test
  void theFirstAttemptWinsWhenItsHeadComesFirstAndTheHedgeIsReset() {
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);
    scheduler.fireNext();

    attempts.respond(1, 200);

    assertThat(result.result().attempt()).isEqualTo(1);
    assertThat(attempts.cancelled).containsExactly(2);
    assertThat(listener.events).contains("hedge 2 lost");
  }

  @Test
  void aHeadBeforeTheDelayCancelsTheOneTimerAndNoHedgeStarts() {
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);

    attempts.respond(1, 200);

    assertThat(result.result().attempt()).isEqualTo(1);
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(scheduler.cancelledCount()).isEqualTo(1);
    assertThat(attempts.started()).isEqualTo(1);
    assertThat(attempts.cancelled).isEmpty();
  }

  @Test
  void upToMaxHedgesRunSideBySideEachDelayMsAfterTheLastStart() {
    operator(5, HedgePolicy.afterDelay(30, 2)).execute(Deadline.after(1_000, ticker), GET, attempts);

    scheduler.fireNext();
    scheduler.fireNext();

    assertThat(attempts.started()).isEqualTo(3);
    assertThat(scheduler.delays()).containsExactly(30L, 30L);
    assertThat(scheduler.pendingCount()).as("two extra in flight: no third").isZero();
  }

  // ---- percentile -------------------------------------------------------------------------

  @Test
  void theDelayIsTheUpstreamsRecentLatencyAtThePercentileRoundedUpToWholeMilliseconds() {
    LatencyPercentile p95 = percentileOf(200, 20 * MS);
    long expected = (p95.nanos() + MS - 1) / MS;

    operator(3, HedgePolicy.fromLatency(p95::nanos, 1)).execute(Deadline.after(1_000, ticker), GET, attempts);

    assertThat(expected).isBetween(20L, 21L); // HdrHistogram: at most 1% above the exact value
    assertThat(scheduler.delays()).containsExactly(expected);
  }

  @Test
  void aRecentLatencyBelowOneMillisecondHedgesAfterOneMillisecond() {
    LatencyPercentile p95 = percentileOf(200, 100_000); // 0.1 ms

    operator(3, HedgePolicy.fromLatency(p95::nanos, 1)).execute(Deadline.after(1_000, ticker), GET, attempts);

    assertThat(scheduler.delays()).containsExactly(1L);
  }

  @Test
  void tooFewLatencySamplesMeanNoHedge() {
    LatencyPercentile p95 = percentileOf(10, 20 * MS); // the histogram wants 100

    Future<Reply> result = operator(3, HedgePolicy.fromLatency(p95::nanos, 1)).execute(Deadline.after(1_000, ticker),
        GET, attempts);

    assertThat(p95.nanos()).isEqualTo(LatencyPercentile.NONE);
    assertThat(scheduler.delays()).isEmpty();
    attempts.respond(1, 200);
    assertThat(result.result().attempt()).isEqualTo(1);
  }

  private static LatencyPercentile percentileOf(int samples, long nanos) {
    LatencyHistogram histogram = new LatencyHistogram(1, 100);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile p95 = histogram.percentile(95);
    for (int i = 0; i < samples; i++) {
      recorder.record(nanos);
    }
    histogram.refresh();
    return p95;
  }

  // ---- what stops a hedge -----------------------------------------------------------------

  @Test
  void noRetryBudgetLeftMeansNoHedge() {
    RetryBudget empty = new RetryBudget(0, 0, ticker);
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1), empty).execute(Deadline.after(1_000, ticker),
        GET, attempts);

    scheduler.fireNext();

    assertThat(attempts.started()).isEqualTo(1);
    assertThat(result.isComplete()).isFalse();
    attempts.respond(1, 200);
    assertThat(result.result().attempt()).isEqualTo(1);
  }

  @Test
  void eachHedgeSpendsTheRetryBudget() {
    RetryBudget budget = new RetryBudget(0, 0.1, ticker); // one retry in the window
    RetryOperator operator = operator(3, HedgePolicy.afterDelay(30, 1), budget);

    operator.execute(Deadline.after(1_000, ticker), GET, attempts);
    scheduler.fireNext();
    assertThat(attempts.started()).as("the budget's one retry").isEqualTo(2);

    ManualAttempts second = new ManualAttempts();
    operator.execute(Deadline.after(1_000, ticker), GET, second);
    scheduler.fireNext();
    assertThat(second.started()).as("spent by the first request's hedge").isEqualTo(1);
  }

  @Test
  void aHedgeCountsTowardMaxAttempts() {
    operator(1, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET, attempts);
    assertThat(scheduler.delays()).as("maxAttempts 1: no hedge").isEmpty();

    ManualAttempts two = new ManualAttempts();
    operator(2, HedgePolicy.afterDelay(30, 3)).execute(Deadline.after(1_000, ticker), GET, two);
    scheduler.fireNext();
    assertThat(two.started()).isEqualTo(2);
    assertThat(scheduler.pendingCount()).as("maxAttempts 2 reached, though maxHedges is 3").isZero();
  }

  @Test
  void noHedgeIsScheduledWhenTheDeadlineIsNearerThanTheDelay() {
    operator(3, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(30, ticker), GET, attempts);

    assertThat(scheduler.delays()).isEmpty();
  }

  @Test
  void methodsTheRetryPolicyDoesNotReplayAreNeverHedgedUnlessTheyCarryAnIdempotencyKey() {
    RetryOperator operator = operator(3, HedgePolicy.afterDelay(30, 1));

    operator.execute(Deadline.after(1_000, ticker), POST, attempts);
    operator.execute(Deadline.after(1_000, ticker), GET_STREAMED_BODY, new ManualAttempts());
    assertThat(scheduler.delays()).as("POST, and a body that cannot be replayed").isEmpty();

    operator.execute(Deadline.after(1_000, ticker), POST_WITH_KEY, new ManualAttempts());
    assertThat(scheduler.delays()).containsExactly(30L);
  }

  // ---- outcomes ---------------------------------------------------------------------------

  @Test
  void whenEveryAttemptsAnswerIsRetryableTheRetryRulesDecideAndTheRetryMayHedgeAgain() {
    Future<Reply> result = operator(4, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);
    scheduler.fireNext();

    attempts.respond(1, 503);
    assertThat(result.isComplete()).as("the hedge may still win").isFalse();
    assertThat(scheduler.pendingCount()).isZero();
    attempts.respond(2, 503);

    assertThat(scheduler.delays()).as("hedge, then the backoff sleep after two attempts").containsExactly(30L, 50L);
    assertThat(attempts.discarded).containsExactly(1);
    scheduler.fireNext();
    assertThat(attempts.started()).isEqualTo(3);
    assertThat(scheduler.delays()).as("the retry is hedged too").containsExactly(30L, 50L, 30L);
    attempts.respond(3, 200);
    assertThat(result.result().attempt()).isEqualTo(3);
    assertThat(listener.events).containsSubsequence("hedge 2 lost", "give-up success on 200");
  }

  @Test
  void aFailedAttemptDoesNotEndTheRunWhileAHedgeIsInFlight() {
    Future<Reply> result = operator(2, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);
    scheduler.fireNext();

    attempts.fail(2, Outcome.reset());
    assertThat(result.isComplete()).isFalse();
    attempts.respond(1, 200);

    assertThat(result.result().attempt()).isEqualTo(1);
  }

  @Test
  void theDeadlineResetsEveryAttemptAndNoTimerOutlivesIt() {
    Deadline deadline = Deadline.after(100, ticker);
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1)).execute(deadline, GET, attempts);
    scheduler.fireNext();

    deadline.cancel(Deadline.CancelReason.DEADLINE_EXCEEDED);
    attempts.fail(1, Outcome.cancelled());
    assertThat(result.isComplete()).isFalse();
    attempts.fail(2, Outcome.cancelled());

    assertThat(result.failed()).isTrue();
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(listener.events).contains("hedge 2 lost", "give-up cancelled on cancelled");
  }

  @Test
  void aHeadArrivingAfterAnotherAttemptWonIsAborted() {
    Future<Reply> result = operator(3, HedgePolicy.afterDelay(30, 1)).execute(Deadline.after(1_000, ticker), GET,
        attempts);
    scheduler.fireNext();
    attempts.respond(2, 200);

    attempts.respond(1, 200); // raced past its reset

    assertThat(result.result().attempt()).isEqualTo(2);
    assertThat(attempts.aborted).containsExactly(1);
  }

  @Test
  void anOperatorWithoutHedgeNeverRunsTwoAttemptsAtOnce() {
    Future<Reply> result = new RetryOperator(policy(3), new RetryBudget(1.0, 1_000, ticker), scheduler, new Random(1),
        listener).execute(Deadline.after(1_000, ticker), GET, attempts);

    assertThat(scheduler.delays()).isEmpty();
    attempts.respond(1, 200);
    assertThat(result.result().attempt()).isEqualTo(1);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** The success value of an attempt. */
  record Reply(int attempt, Outcome outcome) {}

  /** The failure of an attempt. */
  static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Outcome outcome;

    Failed(Outcome outcome) {
      super(outcome.label(), null, false, false);
      this.outcome = outcome;
    }
  }

  /** Attempts completed by the test, any number in flight; records cancels, discards and aborts. */
  static final class ManualAttempts implements Attempts<Reply> {
    final List<Promise<Reply>> promises = new ArrayList<>();
    final List<Integer> cancelled = new ArrayList<>();
    final List<Integer> discarded = new ArrayList<>();
    final List<Integer> aborted = new ArrayList<>();

    int started() {
      return promises.size();
    }

    void respond(int attempt, int status) {
      promises.get(attempt - 1).tryComplete(new Reply(attempt, Outcome.response(status)));
    }

    void fail(int attempt, Outcome outcome) {
      promises.get(attempt - 1).tryFail(new Failed(outcome));
    }

    @Override
    public Future<Reply> attempt(int attemptNumber) {
      if (attemptNumber != promises.size() + 1) {
        throw new AssertionError("attempt " + attemptNumber + " after " + promises.size());
      }
      Promise<Reply> promise = Promise.promise();
      promises.add(promise);
      return promise.future();
    }

    @Override
    public Outcome classify(AsyncResult<Reply> result) {
      return result.succeeded() ? result.result().outcome() : ((Failed) result.cause()).outcome;
    }

    @Override
    public void cancel(int attemptNumber) {
      cancelled.add(attemptNumber);
    }

    @Override
    public void discard(Reply result) {
      discarded.add(result.attempt());
    }

    @Override
    public void abort(Reply result) {
      aborted.add(result.attempt());
    }
  }

  /** Writes attempts, hedges and give-ups as lines. */
  static final class HedgeListener implements RetryListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void onAttempt(int attempt) {
      events.add("attempt " + attempt);
    }

    @Override
    public void onHedge(int attempt, long delayMs) {
      events.add("hedge " + attempt + " after " + delayMs + "ms");
    }

    @Override
    public void onHedgeResult(int attempt, boolean won) {
      events.add("hedge " + attempt + (won ? " won" : " lost"));
    }

    @Override
    public void onGiveUp(GiveUpReason reason, Outcome last) {
      events.add("give-up " + reason.label() + " on " + last.label());
    }
  }
}
