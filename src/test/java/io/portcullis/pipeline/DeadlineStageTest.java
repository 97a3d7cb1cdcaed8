package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.resilience.Deadline;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeadlineStageTest {

  private static final String HEADER = "X-Request-Timeout-Ms";
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final RouteTarget target = new RouteTarget.Proxy(new ProxyRoute("api", null, null, false), 1000,
      RouteRateLimit.NONE);
  private final PathHarness harness = new PathHarness(exchange -> {
    exchange.matched("api", target, Map.of());
    return Stage.Verdict.CONTINUE;
  }, new DeadlineStage(HEADER, 5000, ticker, scheduler));

  @Test
  void withoutHeadersTheBudgetIsTheRouteTimeout() {
    harness.run(FakeHttpRequest.of("GET", "/"));

    assertThat(harness.passed().deadline().budgetMs()).isEqualTo(1000);
    assertThat(scheduler.delays()).containsExactly(1000L);
  }

  @Test
  void theClientHeaderAndGrpcTimeoutCanOnlyShortenIt() {
    harness.run(FakeHttpRequest.of("GET", "/").header(HEADER, "400").header("grpc-timeout", "300m"));
    harness.run(FakeHttpRequest.of("GET", "/").header(HEADER, "90000"));

    assertThat(harness.reachedEnd.get(0).deadline().budgetMs()).isEqualTo(300);
    assertThat(harness.reachedEnd.get(1).deadline().budgetMs()).isEqualTo(1000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1234567890123456789", "99999999999999999999", "999999999999999999999999999999999999"})
  void aDeadlineHeaderOfAnyLengthThatIsAPositiveIntegerOnlyCapsTheBudget(String value) {
    harness.run(FakeHttpRequest.of("GET", "/").header(HEADER, value));

    assertThat(harness.passed().deadline().budgetMs()).isEqualTo(1000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "", "1.5", "0000000000000000000000", "+5", "12345678901234567890x"})
  void aDeadlineHeaderThatIsNotAPositiveIntegerIs400(String value) {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/").header(HEADER, value));

    assertThat(request.status()).isEqualTo(400);
    assertThat(PathHarness.message(request)).isEqualTo(HEADER + " must be a positive integer of milliseconds");
    assertThat(scheduler.delays()).isEmpty();
  }

  @Test
  void whenTheBudgetRunsOutBeforeTheHeadTheClientGets504AndTheDeadlineIsCancelled() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));
    Deadline deadline = harness.passed().deadline();

    scheduler.fireNext();

    assertThat(request.status()).isEqualTo(504);
    assertThat(errorCode(request)).isEqualTo("deadline_exceeded");
    assertThat(PathHarness.message(request)).isEqualTo("no upstream answered within 1000 ms");
    assertThat(request.responseHeaders().get("Connection")).isEqualTo("close");
    assertThat(deadline.cancelReason()).isEqualTo(Deadline.CancelReason.DEADLINE_EXCEEDED);
    assertThat(harness.finishedStatuses).containsExactly(504);
  }

  @Test
  void aFinishedRequestIsNeverAnswered504AndLeavesNoTimerBehind() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/"));

    request.request().response().end();
    scheduler.fireAll();

    assertThat(request.status()).isEqualTo(200);
    assertThat(harness.finishedStatuses).containsExactly(200);
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void theBudgetsOfConcurrentRequestsShareOneTimer() {
    FakeScheduler timers = new FakeScheduler(); // fires without moving the ticker
    PathHarness shared = new PathHarness(exchange -> {
      exchange.matched("api", target, Map.of());
      return Stage.Verdict.CONTINUE;
    }, new DeadlineStage(HEADER, 5000, ticker, timers));
    FakeHttpRequest first = shared.run(FakeHttpRequest.of("GET", "/"));
    ticker.advanceMillis(300);
    FakeHttpRequest second = shared.run(FakeHttpRequest.of("GET", "/"));
    ticker.advanceMillis(300);
    FakeHttpRequest third = shared.run(FakeHttpRequest.of("GET", "/"));
    assertThat(timers.delays()).containsExactly(1000L);

    ticker.advanceMillis(400);
    timers.fireNext(); // 1000 ms after the first
    assertThat(first.status()).isEqualTo(504);
    assertThat(second.status()).isNotEqualTo(504);
    ticker.advanceMillis(299);
    assertThat(timers.lastDelay()).contains(300L); // armed again for the second's budget
    timers.fireNext(); // a millisecond early: nothing is due yet
    assertThat(second.status()).isNotEqualTo(504);
    ticker.advanceMillis(1);
    timers.fireNext();
    assertThat(second.status()).isEqualTo(504);
    assertThat(third.status()).isNotEqualTo(504);
    ticker.advanceMillis(300);
    timers.fireNext();
    assertThat(third.status()).isEqualTo(504);
    assertThat(timers.pendingCount()).isZero();
  }
}
