package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BreakerConfig;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every transition of an endpoint's breaker, on a fake clock and a seeded random source. */
class EndpointBreakerTest {

  private static final long WINDOW_MS = 10_000;
  private static final long RESET_MS = 5_000;

  private final Vertx vertx = Vertx.vertx();
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final List<EndpointBreaker.State> transitions = new ArrayList<>();
  private final EndpointBreaker breaker = new EndpointBreaker(vertx, "u", "http://127.0.0.1:1",
      new BreakerConfig(3, WINDOW_MS, RESET_MS, Set.of(500)), ticker, scheduler, new Random(42),
      (b, to) -> transitions.add(to));

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private Future<String> run(boolean fails) {
    return breaker.execute(() -> fails ? Future.failedFuture("boom") : Future.succeededFuture("ok"), ar -> ar.failed());
  }

  /** The open period a Random(42) gives first: resetTimeoutMs plus 0..10%. */
  private static long firstPeriod() {
    return RESET_MS + new Random(42).nextLong(RESET_MS / 10 + 1);
  }

  @Test
  void maxFailuresWithinTheWindowOpenIt() {
    run(true);
    run(true);
    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.CLOSED);
    assertThat(breaker.failureCount()).isEqualTo(2);

    run(true);

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.OPEN);
    assertThat(transitions).containsExactly(EndpointBreaker.State.OPEN);
    assertThat(breaker.allowsTraffic()).isFalse();
  }

  @Test
  void aFailureIsCountedBeforeAnyLaterListenerSeesTheOutcome() {
    run(true);
    run(true);
    Promise<String> attempt = Promise.promise();
    List<EndpointBreaker.State> seenByTheNextListener = new ArrayList<>();
    breaker.execute(attempt::future, ar -> ar.failed())
        .onComplete(ar -> seenByTheNextListener.add(breaker.state()));

    attempt.fail("boom");

    assertThat(seenByTheNextListener).containsExactly(EndpointBreaker.State.OPEN);
  }

  @Test
  void failuresSpreadOverMoreThanTheWindowDoNotOpenIt() {
    run(true);
    ticker.advanceMillis(WINDOW_MS / 2);
    run(true);
    ticker.advanceMillis(WINDOW_MS / 2 + 1);
    run(true);

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.CLOSED);
    assertThat(breaker.failureCount()).isEqualTo(2);
  }

  @Test
  void successesDoNotClearTheFailuresOfAClosedBreaker() {
    run(true);
    run(false);
    run(true);
    run(false);
    run(true);

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.OPEN);
  }

  @Test
  void anOpenBreakerRunsNothingAndTellsWhenItHalfOpens() {
    open();
    int[] ran = {0};
    Future<String> refused = breaker.execute(() -> {
      ran[0]++;
      return Future.succeededFuture("ok");
    }, ar -> ar.failed());

    assertThat(ran[0]).isZero();
    assertThat(refused.cause()).isSameAs(OpenCircuitException.INSTANCE);
    assertThat(breaker.lastOpenPeriodMs()).isEqualTo(firstPeriod());
    assertThat(breaker.millisUntilHalfOpen()).isEqualTo(firstPeriod());
    ticker.advanceMillis(1_000);
    assertThat(breaker.millisUntilHalfOpen()).isEqualTo(firstPeriod() - 1_000);
  }

  @Test
  void itHalfOpensExactlyWhenTheJitteredPeriodIsOverReadFromTheClock() {
    open();
    ticker.advanceMillis(firstPeriod() - 1);
    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.OPEN);

    ticker.advanceMillis(1);

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.HALF_OPEN);
    assertThat(breaker.allowsTraffic()).isTrue();
    assertThat(transitions).containsExactly(EndpointBreaker.State.OPEN, EndpointBreaker.State.HALF_OPEN);
  }

  @Test
  void theSchedulerAnnouncesHalfOpenOnTimeEvenWithoutTraffic() {
    open();
    assertThat(scheduler.delays()).containsExactly(firstPeriod());

    scheduler.fireNext();

    assertThat(transitions).containsExactly(EndpointBreaker.State.OPEN, EndpointBreaker.State.HALF_OPEN);
    breaker.state();
    assertThat(transitions).as("announced once").hasSize(2);
  }

  @Test
  void halfOpenLetsOneTrialAtATimeAndASuccessClosesItWithAFreshCount() {
    open();
    ticker.advanceMillis(firstPeriod());
    Promise<String> trial = Promise.promise();
    breaker.execute(trial::future, ar -> ar.failed());

    assertThat(breaker.allowsTraffic()).isFalse();
    assertThat(run(false).cause()).isSameAs(OpenCircuitException.INSTANCE);

    trial.complete("ok");

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.CLOSED);
    assertThat(breaker.failureCount()).isZero();
    assertThat(transitions).containsExactly(EndpointBreaker.State.OPEN, EndpointBreaker.State.HALF_OPEN,
        EndpointBreaker.State.CLOSED);
    run(true);
    run(true);
    assertThat(breaker.state()).as("a closed breaker counts afresh").isEqualTo(EndpointBreaker.State.CLOSED);
  }

  @Test
  void aFailedTrialOpensItAgainForANewJitteredPeriod() {
    open();
    ticker.advanceMillis(firstPeriod());
    Random draws = new Random(42);
    draws.nextLong(RESET_MS / 10 + 1);
    long secondPeriod = RESET_MS + draws.nextLong(RESET_MS / 10 + 1);

    run(true);

    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.OPEN);
    assertThat(breaker.lastOpenPeriodMs()).isEqualTo(secondPeriod);
    assertThat(breaker.millisUntilHalfOpen()).isEqualTo(secondPeriod);
    assertThat(transitions).containsExactly(EndpointBreaker.State.OPEN, EndpointBreaker.State.HALF_OPEN,
        EndpointBreaker.State.OPEN);
  }

  @Test
  void aStaleHalfOpenTimerDoesNotCutANewOpenPeriodShort() {
    FakeScheduler timers = new FakeScheduler(); // fires without moving the clock
    List<EndpointBreaker.State> seen = new ArrayList<>();
    EndpointBreaker b = new EndpointBreaker(vertx, "u", "http://127.0.0.1:1",
        new BreakerConfig(1, WINDOW_MS, RESET_MS, Set.of(500)), ticker, timers, new Random(42),
        (x, to) -> seen.add(to));
    b.execute(() -> Future.failedFuture("boom"), ar -> ar.failed());
    ticker.advanceMillis(firstPeriod());
    b.execute(() -> Future.failedFuture("boom"), ar -> ar.failed()); // the trial fails: open again
    assertThat(timers.pendingCount()).isEqualTo(2);

    timers.fireNext(); // the first period's timer, late

    assertThat(b.state()).isEqualTo(EndpointBreaker.State.OPEN);
    assertThat(seen).containsExactly(EndpointBreaker.State.OPEN, EndpointBreaker.State.HALF_OPEN,
        EndpointBreaker.State.OPEN);
    timers.fireNext(); // the second period's timer: still early on the clock
    assertThat(b.state()).isEqualTo(EndpointBreaker.State.OPEN);
  }

  private void open() {
    run(true);
    run(true);
    run(true);
    assertThat(breaker.state()).isEqualTo(EndpointBreaker.State.OPEN);
  }
}
