package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The adaptive rule as a pure function: exact next states from given windows. */
class AdaptiveLimitRuleTest {

  private static final long MS = 1_000_000L;
  private static final AdaptiveSettings SETTINGS = AdaptiveSettings.of(20, 2, 1000);

  private static LimitState state(double estimate, long noLoadMs) {
    return new LimitState(estimate, noLoadMs * MS, 0, LimitState.NOT_PROBING, 0, noLoadMs * MS);
  }

  private static WindowSummary window(long latencyMs, int maxInFlight) {
    return new WindowSummary(latencyMs * MS, 20, 0, maxInFlight);
  }

  @Test
  void queueEstimateIsTheShareOfTheLimitSpentWaitingBeyondTheTolerance() {
    // L = 16, m = 40 ms, w = 80 ms, tol = 5 ms: 16 * (80 - 45) / 80 = 7
    assertThat(AdaptiveLimitRule.queue(16, 40 * MS, 80 * MS, 5 * MS)).isEqualTo(7.0);
    assertThat(AdaptiveLimitRule.queue(16, 40 * MS, 44 * MS, 5 * MS)).isZero();
  }

  @Test
  void theFirstWindowGrowsALimitInUseAndTheNoLoadLatencyIsSetOnceTwoWindowsShowedIt() {
    LimitState first = AdaptiveLimitRule.next(LimitState.initial(20), window(40, 12), 1_000 * MS, SETTINGS);

    assertThat(first.noLoadNanos()).isEqualTo(LimitState.UNKNOWN);
    assertThat(first.lastWindowNanos()).isEqualTo(40 * MS);
    // nothing to judge a queue by yet, so no queue: L + 6 * log10(20)
    assertThat(first.estimate()).isCloseTo(20 + 6 * Math.log10(20), within(1e-9));

    LimitState second = AdaptiveLimitRule.next(first, window(42, 12), 1_100 * MS, SETTINGS);

    assertThat(second.noLoadNanos()).as("what both windows showed").isEqualTo(42 * MS);
    assertThat(second.noLoadSeenNanos()).isEqualTo(1_100 * MS);
  }

  @Test
  void holdsTheLimitWhileLessThanHalfOfItIsInUse() {
    LimitState next = AdaptiveLimitRule.next(state(40, 40), window(40, 19), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isEqualTo(40);
  }

  @Test
  void holdsTheLimitWhileLessThanHalfOfItIsInUseEvenWithAQueue() {
    LimitState next = AdaptiveLimitRule.next(state(40, 40), window(400, 19), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isEqualTo(40);
  }

  @Test
  void doublesOnlyAfterTwoWindowsInARowThatFilledTheLimitWithoutAQueue() {
    LimitState first = AdaptiveLimitRule.next(state(50, 1), window(1, 50), 1_000 * MS, SETTINGS);
    double beta = 6 * Math.log10(50);
    assertThat(first.estimate()).isCloseTo(50 + beta, within(1e-9));
    assertThat(first.fullWithoutQueue()).isEqualTo(1);

    LimitState second = AdaptiveLimitRule.next(first, window(1, first.limit()), 1_100 * MS, SETTINGS);

    assertThat(second.estimate()).isCloseTo(2 * first.estimate(), within(1e-9));
  }

  @Test
  void growsSlowlyWhenTheQueueIsBelowAlpha() {
    // L = 20, m = 40, w = 54: q = 20 * 9 / 54 = 3.33 in (lg, alpha) = (1.30, 3.90)
    LimitState next = AdaptiveLimitRule.next(state(20, 40), window(54, 20), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isCloseTo(20 + Math.log10(20), within(1e-9));
    assertThat(next.fullWithoutQueue()).isZero();
  }

  @Test
  void holdsTheLimitWhenTheQueueIsBetweenAlphaAndBeta() {
    // L = 20, m = 40, w = 60: q = 20 * 15 / 60 = 5 in [alpha, beta] = [3.90, 7.81]
    LimitState next = AdaptiveLimitRule.next(state(20, 40), window(60, 20), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isEqualTo(20);
  }

  @Test
  void dropsToTheConcurrencyServedWithoutQueueingPlusAlphaWhenAQueueStands() {
    // L = 20, m = 40, w = 100 (8 workers, 40 ms: 12 waiting): q = 20 * 55 / 100 = 11 > beta
    LimitState next = AdaptiveLimitRule.next(state(20, 40), window(100, 20), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isCloseTo(20 - 11 + 3 * Math.log10(20), within(1e-9));
  }

  @Test
  void neverMoreThanHalvesInOneWindow() {
    // L = 200, m = 40, w = 1000: q = 200 * 955 / 1000 = 191; L - q + alpha = 15.9 < L / 2
    LimitState next = AdaptiveLimitRule.next(state(200, 40), window(1000, 200), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isEqualTo(100);
  }

  @Test
  void aTimeoutOrResetInTheWindowShrinksTheLimitByTheDropBackoff() {
    WindowSummary withDrop = new WindowSummary(40 * MS, 19, 1, 20);

    LimitState next = AdaptiveLimitRule.next(state(20, 40), withDrop, 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isCloseTo(18, within(1e-9));
  }

  @Test
  void aWindowOfOnlyDropsShrinksTheLimitAndKeepsTheLatency() {
    WindowSummary onlyDrops = new WindowSummary(WindowSummary.NO_SAMPLE, 0, 10, 20);

    LimitState next = AdaptiveLimitRule.next(state(20, 40), onlyDrops, 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isCloseTo(18, within(1e-9));
    assertThat(next.noLoadNanos()).isEqualTo(40 * MS);
  }

  @Test
  void staysWithinMinAndMax() {
    AdaptiveSettings narrow = AdaptiveSettings.of(10, 8, 12);

    LimitState up = AdaptiveLimitRule.next(new LimitState(12, 40 * MS, 0, LimitState.NOT_PROBING, 3, 40 * MS),
        window(40, 12), 1_000 * MS, narrow);
    LimitState down = AdaptiveLimitRule.next(new LimitState(8, 40 * MS, 0, LimitState.NOT_PROBING, 0, 40 * MS),
        new WindowSummary(900 * MS, 5, 5, 8), 1_000 * MS, narrow);

    assertThat(up.estimate()).isEqualTo(12);
    assertThat(down.estimate()).isEqualTo(8);
  }

  @Test
  void aDelayWithinTheToleranceIsNotAQueueInFrontOfAFastUpstream() {
    // m = 0.2 ms, w = 4 ms: twenty times the no-load latency, but below m + 5 ms
    LimitState fast = new LimitState(64, 200_000, 0, LimitState.NOT_PROBING, 0, 200_000);

    LimitState next = AdaptiveLimitRule.next(fast, new WindowSummary(4 * MS, 5_000, 0, 64), 1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isGreaterThan(64);
    assertThat(next.noLoadNanos()).isEqualTo(200_000);
    assertThat(next.noLoadSeenNanos()).as("a window within the tolerance confirms the no-load latency")
        .isEqualTo(1_000 * MS);
  }

  @Test
  void aSlowFasterHalfIsNoQueueWhenTheWindowsFastestRequestDidNotWait() {
    // m = 0.2 ms; the faster half averaged 30 ms (the gateway's own event loop was late with most
    // heads), but the fastest request still took 0.3 ms: it did not queue, so no queue stands.
    LimitState fast = new LimitState(64, 200_000, 0, LimitState.NOT_PROBING, 0, 200_000);

    LimitState next = AdaptiveLimitRule.next(fast, new WindowSummary(30 * MS, 5_000, 0, 64, 300_000), 1_000 * MS,
        SETTINGS);

    assertThat(next.estimate()).isCloseTo(64 + 6 * Math.log10(64), within(1e-9));
    assertThat(next.fastestNanos()).isEqualTo(200_000);
  }

  @Test
  void aFastestRequestWithinTheToleranceOfTheFastestSeenIsNoStandingQueue() {
    // w = 100 ms would be q = 11 (see above), but the fastest took 44 ms against 40 ms seen
    LimitState next = AdaptiveLimitRule.next(state(20, 40), new WindowSummary(100 * MS, 20, 0, 20, 44 * MS),
        1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isGreaterThan(20);
  }

  @Test
  void aQueueThatDelayedEvenTheFastestRequestShrinksTheLimit() {
    // the fastest took 60 ms against 40 ms seen: every request waited; q = 20 * 55 / 100 = 11
    LimitState next = AdaptiveLimitRule.next(state(20, 40), new WindowSummary(100 * MS, 20, 0, 20, 60 * MS),
        1_000 * MS, SETTINGS);

    assertThat(next.estimate()).isCloseTo(20 - 11 + 3 * Math.log10(20), within(1e-9));
    assertThat(next.fastestNanos()).isEqualTo(40 * MS);
  }

  @Test
  void theFastestSuccessSeenOnlyGoesDownBetweenReMeasurements() {
    LimitState first = AdaptiveLimitRule.next(LimitState.initial(20), new WindowSummary(40 * MS, 20, 0, 12, 38 * MS),
        1_000 * MS, SETTINGS);
    LimitState lower = AdaptiveLimitRule.next(first, new WindowSummary(40 * MS, 20, 0, 12, 2 * MS), 1_100 * MS,
        SETTINGS);
    LimitState higher = AdaptiveLimitRule.next(lower, new WindowSummary(40 * MS, 20, 0, 12, 39 * MS), 1_200 * MS,
        SETTINGS);

    assertThat(first.fastestNanos()).isEqualTo(38 * MS);
    assertThat(lower.fastestNanos()).as("one cheap request is enough").isEqualTo(2 * MS);
    assertThat(higher.fastestNanos()).isEqualTo(2 * MS);
  }

  @Test
  void oneFasterWindowDoesNotLowerTheNoLoadLatencyButTwoInARowDo() {
    LimitState once = AdaptiveLimitRule.next(state(20, 40), window(10, 5), 1_000 * MS, SETTINGS);
    assertThat(once.noLoadNanos()).as("a window of mostly cheap requests").isEqualTo(40 * MS);

    LimitState back = AdaptiveLimitRule.next(once, window(40, 5), 1_100 * MS, SETTINGS);
    assertThat(back.noLoadNanos()).isEqualTo(40 * MS);

    LimitState twice = AdaptiveLimitRule.next(
        AdaptiveLimitRule.next(back, window(35, 5), 1_200 * MS, SETTINGS), window(36, 5), 1_300 * MS, SETTINGS);
    assertThat(twice.noLoadNanos()).isEqualTo(36 * MS);
    assertThat(twice.noLoadSeenNanos()).isEqualTo(1_300 * MS);
  }

  @Test
  void aSlowerWindowDoesNotRaiseTheNoLoadLatencyNorConfirmIt() {
    LimitState higher = AdaptiveLimitRule.next(state(20, 40), window(90, 5), 2_000 * MS, SETTINGS);

    assertThat(higher.noLoadNanos()).isEqualTo(40 * MS);
    assertThat(higher.noLoadSeenNanos()).isZero();
  }

  @Test
  void anUnconfirmedNoLoadLatencyIsMeasuredAgainByDrainingTheQueueForOneWindow() {
    long horizon = SETTINGS.noLoadHorizonNanos();
    LimitState overloaded = new LimitState(20, 40 * MS, 0, LimitState.NOT_PROBING, 0, 60 * MS);

    // Still within the horizon: ordinary rule.
    LimitState before = AdaptiveLimitRule.next(overloaded, window(60, 20), horizon, SETTINGS);
    assertThat(before.probing()).isFalse();

    // Past it: one window at L - q (q = 20 * 15 / 60 = 5), remembering L.
    LimitState probe = AdaptiveLimitRule.next(overloaded, window(60, 20), horizon + 1, SETTINGS);
    assertThat(probe.probing()).isTrue();
    assertThat(probe.estimate()).isEqualTo(15);
    assertThat(probe.resumeEstimate()).isEqualTo(20);

    // The probe window's minimum is the new no-load latency (here higher: the upstream got slower),
    // and the estimate returns to L.
    LimitState after = AdaptiveLimitRule.next(probe, window(55, 15), horizon + 200 * MS, SETTINGS);
    assertThat(after.probing()).isFalse();
    assertThat(after.noLoadNanos()).isEqualTo(55 * MS);
    assertThat(after.noLoadSeenNanos()).isEqualTo(horizon + 200 * MS);
    assertThat(after.fastestNanos()).as("measured again with it").isEqualTo(55 * MS);
    assertThat(after.estimate()).isEqualTo(20);
  }

  @Test
  void aProbeWindowWithOnlyDropsReturnsToABackedOffLimitAndKeepsTheOldLatency() {
    LimitState probe = new LimitState(15, 40 * MS, 0, 20, 0, 60 * MS);

    LimitState after = AdaptiveLimitRule.next(probe, new WindowSummary(WindowSummary.NO_SAMPLE, 0, 3, 15),
        1_000 * MS, SETTINGS);

    assertThat(after.probing()).isFalse();
    assertThat(after.estimate()).isCloseTo(18, within(1e-9));
    assertThat(after.noLoadNanos()).isEqualTo(40 * MS);
  }
}
