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
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class RetryPropertiesTest {

  @Property(tries = 1_000)
  void attemptsAndSleepsStayWithinMaxAttemptsTheDeadlineAndTheirBounds(
      @ForAll @IntRange(min = 1, max = 6) int maxAttempts,
      @ForAll @LongRange(min = 0, max = 300) long baseMs,
      @ForAll @LongRange(min = 0, max = 2_000) long maxMs,
      @ForAll JitterMode jitter,
      @ForAll long seed,
      @ForAll @LongRange(min = 0, max = 5_000) long budgetMs,
      @ForAll @LongRange(min = 0, max = 200) long attemptMs,
      @ForAll @IntRange(min = 0, max = 3) int budgetMinPerSecond,
      @ForAll @Size(min = 1, max = 8) List<@From("outcomes") Outcome> script,
      @ForAll("methods") String method,
      @ForAll boolean hasIdempotencyKey,
      @ForAll boolean bodyReplayable) {
    FakeTicker ticker = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(ticker);
    List<Long> sleepEnds = new ArrayList<>();
    Scheduler timing = (delayMs, task) -> {
      sleepEnds.add(ticker.nanos() + delayMs * 1_000_000L);
      return scheduler.schedule(delayMs, task);
    };
    RecordingListener listener = new RecordingListener();
    RetryPolicy policy = new RetryPolicy(maxAttempts, baseMs, maxMs, jitter, 0, true, true, true,
        Set.of(502, 503, 504), Set.of("GET", "PUT"));
    RetryOperator operator = new RetryOperator(policy,
        new RetryBudget(0.2, budgetMinPerSecond, ticker), timing, new SplittableRandom(seed),
        listener);
    ScriptedAttempts attempts = new ScriptedAttempts(script, ticker, attemptMs);
    long deadlineNanos = ticker.nanos() + budgetMs * 1_000_000L;

    Future<Reply> result = operator.execute(Deadline.after(budgetMs, ticker),
        new RequestTraits(method, hasIdempotencyKey, bodyReplayable), attempts);
    scheduler.fireAll();

    assertThat(result.isComplete()).isTrue();
    assertThat(attempts.started).isBetween(1, maxAttempts);
    int lastAttempt = result.succeeded() ? result.result().attempt()
        : ((AttemptFailure) result.cause()).attempt;
    assertThat(lastAttempt).isEqualTo(attempts.started);
    assertThat(listener.giveUps).hasSize(1);
    assertThat(listener.giveUpOutcomes).containsExactly(attempts.outcomeOf(attempts.started));

    List<Long> delays = scheduler.delays();
    assertThat(delays).hasSize(attempts.started - 1);
    long slept = 0;
    for (int i = 0; i < delays.size(); i++) {
      long delay = delays.get(i);
      assertThat(delay).isBetween(0L, maxMs);
      assertThat(sleepEnds.get(i)).as("sleep %d ends before the deadline", i)
          .isLessThan(deadlineNanos);
      slept += delay;
    }
    assertThat(slept).isLessThanOrEqualTo(budgetMs);
  }

  @Property(tries = 2_000)
  void everyBackoffDelayIsWithinZeroAndTheCap(
      @ForAll JitterMode jitter,
      @ForAll @IntRange(min = 1, max = 200) int retry,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long baseMs,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long maxMs,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long previousMs,
      @ForAll long seed) {
    long delay = Backoff.delayMs(jitter, retry, baseMs, maxMs, previousMs,
        new SplittableRandom(seed));

    assertThat(delay).isBetween(0L, maxMs);
  }

  @Provide
  Arbitrary<Outcome> outcomes() {
    Arbitrary<Outcome> responses = Arbitraries.of(200, 201, 404, 500, 502, 503, 504)
        .map(Outcome::response);
    return Arbitraries.oneOf(responses, Arbitraries.of(Outcome.connectFailure(),
        Outcome.reset(), Outcome.perTryTimeout(), Outcome.circuitOpen(), Outcome.cancelled(),
        Outcome.otherFailure()));
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "PUT", "POST", "PATCH");
  }
}
