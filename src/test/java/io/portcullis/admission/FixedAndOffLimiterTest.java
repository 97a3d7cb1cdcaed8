package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixedAndOffLimiterTest {

  @Test
  void fixedAdmitsExactlyMaxThenRefusesUntilASlotReturns() {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed(3);
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      permits.add(limiter.tryAcquire());
    }

    assertThat(permits).allSatisfy(p -> assertThat(p.admitted()).isTrue());
    assertThat(limiter.tryAcquire()).isSameAs(Permit.REJECTED);
    assertThat(limiter.inFlight()).isEqualTo(3);

    permits.get(0).onSuccess(0, 40);

    assertThat(limiter.tryAcquire().admitted()).isTrue();
    assertThat(limiter.tryAcquire()).isSameAs(Permit.REJECTED);
  }

  @Test
  void fixedReturnsTheSlotOnEveryKindOfCompletionAndNeverMovesItsLimit() {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed(3);
    Permit a = limiter.tryAcquire();
    Permit b = limiter.tryAcquire();
    Permit c = limiter.tryAcquire();

    a.onSuccess(0, 5_000_000_000L);
    b.onDropped(6_000_000_000L);
    c.onIgnore();

    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.limit()).isEqualTo(3);
    assertThat(limiter.mode()).isEqualTo(ConcurrencyLimiter.Mode.FIXED);
  }

  @Test
  void everyAdmissionOfALimiterHandsOutTheSamePermitObject() {
    ConcurrencyLimiter fixed = ConcurrencyLimiter.fixed(2);
    ConcurrencyLimiter adaptive = ConcurrencyLimiter.adaptive(AdaptiveSettings.of(2, 1, 10));

    assertThat(fixed.tryAcquire()).isSameAs(fixed.tryAcquire());
    assertThat(adaptive.tryAcquire()).isSameAs(adaptive.tryAcquire());
  }

  @Test
  void aRefusedPermitIsNotAdmittedAndItsCompletionsChangeNothing() {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed(1);
    limiter.tryAcquire();
    Permit refused = limiter.tryAcquire();

    refused.onSuccess(0, 1);
    refused.onDropped(1);
    refused.onIgnore();

    assertThat(refused.admitted()).isFalse();
    assertThat(limiter.inFlight()).isEqualTo(1);
  }

  @Test
  void offAdmitsEverythingWithOneSharedPermitAndCountsNothing() {
    ConcurrencyLimiter off = ConcurrencyLimiter.off();

    for (int i = 0; i < 10_000; i++) {
      assertThat(off.tryAcquire()).isSameAs(Permit.UNCOUNTED);
    }
    Permit.UNCOUNTED.onSuccess(0, 1);

    assertThat(off.limit()).isEqualTo(ConcurrencyLimiter.UNLIMITED);
    assertThat(off.inFlight()).isEqualTo(ConcurrencyLimiter.NOT_COUNTED);
    assertThat(off.mode()).isEqualTo(ConcurrencyLimiter.Mode.OFF);
  }

  @Test
  void fixedRefusesALimitBelowOne() {
    assertThatThrownBy(() -> ConcurrencyLimiter.fixed(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max: 0 (expected: >= 1)");
  }

  @Test
  void adaptiveSettingsNameTheFirstValueOutOfRange() {
    assertThatThrownBy(() -> AdaptiveSettings.of(20, 0, 1000)).hasMessage("min: 0 (expected: >= 1)");
    assertThatThrownBy(() -> AdaptiveSettings.of(20, 30, 25)).hasMessage("max: 25 (expected: >= min 30)");
    assertThatThrownBy(() -> AdaptiveSettings.of(1, 2, 1000)).hasMessage("initial: 1 (expected: within [2, 1000])");
  }
}
