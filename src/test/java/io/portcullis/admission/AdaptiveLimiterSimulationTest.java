package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.admission.OverloadSimulation.Phase;
import io.portcullis.admission.OverloadSimulation.PhaseResult;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The adaptive limiter in the overload benchmark's scenario, on simulated time: a thread-pool
 * backend of 8 workers and 40 ms per request (capacity C = 200 req/s) that serves abandoned
 * requests too, a 1,000 ms deadline, and open-loop Poisson arrivals of 0.5 C, then a multiple of
 * C, then 0.5 C again. Each case runs three seeds.
 */
class AdaptiveLimiterSimulationTest {

  private static final double C = 200;

  private static List<PhaseResult> run(ConcurrencyLimiter limiter, long seed, double overload, long overloadMs) {
    return new OverloadSimulation(8, 40, 1000, seed)
        .run(limiter, new Phase(5_000, 0.5 * C), new Phase(overloadMs, overload * C), new Phase(6_000, 0.5 * C));
  }

  private static ConcurrencyLimiter adaptive() {
    return ConcurrencyLimiter.adaptive(AdaptiveSettings.of(20, 2, 1000));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void withoutALimitTheModelCollapsesAsTheGatewayDoesToday(long seed) {
    List<PhaseResult> r = run(ConcurrencyLimiter.off(), seed, 2, 20_000);

    assertThat(r.get(1).goodput()).isLessThan(0.2 * C);
    assertThat(r.get(1).timedOut).isGreaterThan(r.get(1).ok * 10);
    assertThat(r.get(2).ok).as("after the overload, the backend is still busy with abandoned work").isZero();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void atTwiceTheCapacityGoodputStaysNearCapacityWithShortQueuesAndNoTimeouts(long seed) {
    List<PhaseResult> r = run(adaptive(), seed, 2, 20_000);
    PhaseResult overload = r.get(1);

    assertThat(overload.goodput()).isGreaterThanOrEqualTo(0.9 * C);
    assertThat(overload.okPercentileMs(99)).isLessThanOrEqualTo(300);
    assertThat(overload.timedOut).isZero();
    // After the first 2 s, about the backend's 8 workers plus a small queue.
    int[] range = overload.limitRange(2_000);
    assertThat(range[0]).isGreaterThanOrEqualTo(8);
    assertThat(range[1]).isLessThanOrEqualTo(60);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void atFourTimesTheCapacityGoodputStaysNearCapacity(long seed) {
    List<PhaseResult> r = run(adaptive(), seed, 4, 20_000);

    assertThat(r.get(1).goodput()).isGreaterThanOrEqualTo(0.9 * C);
    assertThat(r.get(1).timedOut).isZero();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void whenTheLoadDropsEveryRequestSucceedsWithinOneSecond(long seed) {
    for (double overload : new double[] {1, 2, 4}) {
      List<PhaseResult> r = run(adaptive(), seed, overload, 20_000);

      assertThat(r.get(0).ok).as("before the overload, nothing is shed").isEqualTo(
          r.get(0).ok + r.get(0).shed + r.get(0).timedOut);
      assertThat(r.get(2).lastFailureMs()).as("last failure after %s C", overload).isLessThan(1_000);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aLongOverloadDoesNotLetTheLimitDriftUp(long seed) {
    List<PhaseResult> r = run(adaptive(), seed, 2, 120_000);
    PhaseResult overload = r.get(1);

    int[] lastMinute = overload.limitRange(60_000);
    assertThat(lastMinute[1]).isLessThanOrEqualTo(60);
    assertThat(overload.goodput()).isGreaterThanOrEqualTo(0.9 * C);
    assertThat(overload.okPercentileMs(99)).isLessThanOrEqualTo(300);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aHealthyFastUpstreamBehindABusyGatewayIsNotShedOnceTheLimitHasGrown(long seed) {
    // 200 workers at 1 ms (capacity 200,000/s) at 20,000/s; the gateway adds 3 ms on average.
    List<PhaseResult> r = new OverloadSimulation(200, 1, 1000, seed).withGatewayNoise(3)
        .run(adaptive(), new Phase(10_000, 20_000));

    assertThat(r.get(0).lastFailureMs()).isLessThan(1_000);
    assertThat(r.get(0).shed).isLessThan(r.get(0).ok / 50);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aGatewayThatTurnsSlowAfterTheLatencyWasLearnedDoesNotShedAHealthyUpstream(long seed) {
    // 200 workers at 1 ms, 20,000/s: the limit learns m = 1 ms; then every answer reaches the
    // gateway 30 ms late on average (exponential: most late, a few at once), six times the
    // tolerance, and about 600 requests are in flight. Only the limit's growth to them may shed.
    List<PhaseResult> r = new OverloadSimulation(200, 1, 1000, seed).withGatewayNoise(30, 5_000)
        .run(adaptive(), new Phase(5_000, 20_000), new Phase(10_000, 20_000));

    PhaseResult slow = r.get(1);
    assertThat(slow.lastFailureMs()).isLessThan(1_000);
    assertThat(slow.shed).isLessThan(slow.ok / 20);
    assertThat(slow.limitRange(2_000)[0]).isGreaterThanOrEqualTo(600);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aHeavyTailIsNotMistakenForAQueue(long seed) {
    // 5 ms, but 2% of requests take 1,000 ms; about 8 in flight.
    List<PhaseResult> r = new OverloadSimulation(10_000, 5, 30_000, seed).withSomeRequestsTaking(0.02, 1000)
        .withGatewayNoise(0.5).run(adaptive(), new Phase(10_000, 320));

    assertThat(r.get(0).shed).isZero();
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.01, 0.05})
  void aShareOfCheapRequestsDoesNotMakeTheOthersLookQueued(double cheapShare) {
    for (long seed = 1; seed <= 3; seed++) {
      // A healthy upstream: 200 workers at 40 ms, 1,000 req/s (about 40 in flight); some requests take 1 ms.
      List<PhaseResult> r = new OverloadSimulation(200, 40, 1000, seed).withSomeRequestsTaking(cheapShare, 1)
          .withGatewayNoise(0.5).run(adaptive(), new Phase(10_000, 1_000));

      assertThat(r.get(0).lastFailureMs()).as("seed %d", seed).isLessThan(1_000);
    }
  }
}
