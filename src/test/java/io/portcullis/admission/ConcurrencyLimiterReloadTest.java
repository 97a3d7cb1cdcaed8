package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.portcullis.admission.ConcurrencyLimiter.Mode;
import org.junit.jupiter.api.Test;

/** {@link ConcurrencyLimiter#of}: what a configuration reload keeps. */
class ConcurrencyLimiterReloadTest {

  private static final long MS = 1_000_000L;

  @Test
  void unchangedSettingsKeepTheSameLimiter() {
    ConcurrencyLimiter fixed = ConcurrencyLimiter.of(Mode.FIXED, 20, 2, 50, null);
    ConcurrencyLimiter adaptive = ConcurrencyLimiter.of(Mode.ADAPTIVE, 20, 2, 1000, null);

    assertThat(ConcurrencyLimiter.of(Mode.FIXED, 20, 2, 50, fixed)).isSameAs(fixed);
    assertThat(ConcurrencyLimiter.of(Mode.ADAPTIVE, 20, 2, 1000, adaptive)).isSameAs(adaptive);
    assertThat(ConcurrencyLimiter.of(Mode.OFF, 20, 2, 1000, adaptive)).isSameAs(ConcurrencyLimiter.off());
  }

  @Test
  void fixedUsesMaxOnly() {
    ConcurrencyLimiter fixed = ConcurrencyLimiter.of(Mode.FIXED, 20, 2, 50, null);

    assertThat(fixed.limit()).isEqualTo(50);
  }

  @Test
  void aNewLimitCountsTheRequestsAdmittedBeforeTheReload() {
    ConcurrencyLimiter before = ConcurrencyLimiter.of(Mode.FIXED, 20, 2, 5, null);
    Permit old1 = before.tryAcquire();
    Permit old2 = before.tryAcquire();
    before.tryAcquire();

    ConcurrencyLimiter after = ConcurrencyLimiter.of(Mode.FIXED, 20, 2, 4, before);

    assertThat(after.inFlight()).isEqualTo(3);
    assertThat(after.tryAcquire().admitted()).isTrue();
    assertThat(after.tryAcquire().admitted()).isFalse();
    old1.onSuccess(0, 1);
    old2.onIgnore();
    assertThat(after.inFlight()).isEqualTo(2);
  }

  @Test
  void anAdaptiveLimitWithNewBoundsKeepsWhatItLearnedClampedToThem() {
    ConcurrencyLimiter before = ConcurrencyLimiter.of(Mode.ADAPTIVE, 20, 2, 1000, null);
    // Two windows of 40 ms answers with the limit in use: it grows, and learns the latency.
    for (long sent : new long[] {0, 200 * MS}) {
      Permit[] permits = new Permit[20];
      for (int i = 0; i < 20; i++) {
        permits[i] = before.tryAcquire();
      }
      for (Permit p : permits) {
        p.onSuccess(sent, sent + 40 * MS);
      }
    }
    assertThat(before.limit()).isGreaterThan(20);
    long learned = ((AdaptiveLimiter) before).state().noLoadNanos();
    assertThat(learned).as("40 ms, within the 1-digit histogram's bucket").isCloseTo(40 * MS, withinPercentage(5));

    ConcurrencyLimiter after = ConcurrencyLimiter.of(Mode.ADAPTIVE, 20, 2, 24, before);

    assertThat(after).isNotSameAs(before);
    assertThat(after.limit()).isEqualTo(24);
    assertThat(((AdaptiveLimiter) after).state().noLoadNanos()).isEqualTo(learned);
  }

  @Test
  void switchingFromOffStartsCountingFromZero() {
    ConcurrencyLimiter after = ConcurrencyLimiter.of(Mode.ADAPTIVE, 20, 2, 1000, ConcurrencyLimiter.off());

    assertThat(after.inFlight()).isZero();
    assertThat(after.limit()).isEqualTo(20);
  }
}
