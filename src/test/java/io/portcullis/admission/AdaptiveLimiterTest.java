package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The adaptive limiter driven window by window on hand-made time: the caller's ticker readings are
 * plain numbers here.
 */
class AdaptiveLimiterTest {

  private static final long MS = 1_000_000L;

  /** Sends {@code count} requests at once and answers them all after the given latency. */
  private static final class Driver {
    final AdaptiveLimiter limiter;
    long clock = 1_000 * MS;

    Driver(AdaptiveSettings settings) {
      this.limiter = new AdaptiveLimiter(settings, new AtomicInteger());
    }

    /**
     * One window: waits until the current window is old enough, fills {@code share} of the limit,
     * and answers each request {@code latencyMs} later.
     */
    int round(double share, long latencyMs) {
      clock += windowLength();
      long sent = clock;
      int count = Math.max(1, (int) Math.ceil(limiter.limit() * share));
      List<Permit> permits = acquire(count);
      clock += latencyMs * MS;
      for (Permit p : permits) {
        p.onSuccess(sent, clock);
      }
      return limiter.limit();
    }

    List<Permit> acquire(int count) {
      List<Permit> permits = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Permit p = limiter.tryAcquire();
        assertThat(p.admitted()).as("request %d of %d under limit %d", i + 1, count, limiter.limit()).isTrue();
        permits.add(p);
      }
      return permits;
    }

    long windowLength() {
      long noLoad = limiter.state().noLoadNanos();
      return noLoad == LimitState.UNKNOWN ? AdaptiveSettings.DEFAULT_WINDOW_NANOS
          : Math.max(AdaptiveSettings.DEFAULT_WINDOW_NANOS, AdaptiveSettings.WINDOW_RTTS * noLoad);
    }
  }

  /** Latency of a thread-pool backend of 8 workers and 40 ms service when {@code inFlight} are sent. */
  private static long backendLatencyMs(int inFlight) {
    return 40L * Math.max(8, inFlight) / 8;
  }

  @Test
  void startsAtTheInitialLimitAndAdmitsExactlyThatMany() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));

    d.acquire(20);

    assertThat(d.limiter.tryAcquire()).isSameAs(Permit.REJECTED);
    assertThat(d.limiter.inFlight()).isEqualTo(20);
    assertThat(d.limiter.mode()).isEqualTo(ConcurrencyLimiter.Mode.ADAPTIVE);
  }

  @Test
  void growsWhileLatencyStaysFlatUpToMax() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 300));
    List<Integer> limits = new ArrayList<>();

    for (int i = 0; i < 12; i++) {
      limits.add(d.round(1.0, 40));
    }

    assertThat(limits).isSorted();
    assertThat(limits.get(0)).isGreaterThan(20);
    assertThat(limits.get(limits.size() - 1)).isEqualTo(300);
    assertThat(d.limiter.inFlight()).isZero();
  }

  @Test
  void shrinksWhenLatencyRisesWithTheLoadItSends() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    for (int i = 0; i < 4; i++) {
      d.round(1.0, 40);
    }
    int grown = d.limiter.limit();
    assertThat(grown).isGreaterThan(60);

    // Now the upstream saturates: 8 workers, 40 ms each, the rest waits in its queue.
    for (int i = 0; i < 8; i++) {
      d.round(1.0, backendLatencyMs(d.limiter.limit()));
    }

    assertThat(d.limiter.limit()).isBetween(8, 20);
  }

  @Test
  void recoversWhenTheLatencyComesBack() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(0.6, 40);
    d.round(0.6, 40);
    for (int i = 0; i < 8; i++) {
      d.round(1.0, backendLatencyMs(d.limiter.limit()));
    }
    int shrunk = d.limiter.limit();

    for (int i = 0; i < 4; i++) {
      d.round(1.0, 40);
    }

    assertThat(d.limiter.limit()).isGreaterThan(shrunk * 3);
  }

  @Test
  void settlesNearTheBackendsWorkersPlusASmallQueue() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(0.6, 40);
    d.round(0.6, 40); // two unloaded windows: the no-load latency is known
    List<Integer> limits = new ArrayList<>();

    for (int i = 0; i < 40; i++) {
      limits.add(d.round(1.0, backendLatencyMs(d.limiter.limit())));
    }

    // W = 8 plus a standing queue of alpha..beta (3..6 at these limits), with the tolerance's share.
    assertThat(limits.subList(10, 40)).allSatisfy(l -> assertThat(l).isBetween(9, 16));
  }

  @Test
  void aWindowIsJudgedOnlyOnceItIsOldEnoughAndHoldsEnoughCompletions() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(1.0, 40);
    d.round(1.0, 40); // two windows: the no-load latency is known
    int limit = d.limiter.limit();
    long start = d.clock;
    List<Permit> permits = d.acquire(limit);

    // Old enough (500 ms) but only 9 completions: no decision.
    for (Permit p : permits.subList(0, 9)) {
      p.onSuccess(start + 1, start + 500 * MS);
    }
    assertThat(d.limiter.limit()).isEqualTo(limit);

    // The tenth completion: decided (a 500 ms queue: smaller).
    permits.get(9).onSuccess(start + 1, start + 500 * MS);
    assertThat(d.limiter.limit()).isLessThan(limit);
  }

  @Test
  void aWindowYoungerThanItsLengthIsNotJudgedWhateverItsCompletions() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(1.0, 40);
    int limit = d.limiter.limit();
    long start = d.clock;

    for (Permit p : d.acquire(limit)) {
      p.onSuccess(start, start + 99 * MS);
    }

    assertThat(d.limiter.limit()).isEqualTo(limit);
  }

  @Test
  void latencyOfRequestsSentBeforeTheWindowBeganIsIgnored() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    List<Permit> old = d.acquire(10);
    long oldSent = d.clock;
    d.round(0.5, 40); // closes the first window at d.clock
    int limit = d.limiter.limit();
    long windowStart = d.clock;

    // Ten answers of requests sent before the window began, 2 s old: would shrink the limit.
    for (Permit p : old) {
      p.onSuccess(oldSent, windowStart + 200 * MS);
    }

    assertThat(d.limiter.limit()).isEqualTo(limit);
    assertThat(d.limiter.inFlight()).isZero();
  }

  @Test
  void timeoutsShrinkTheLimit() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(0.6, 40);
    double estimate = d.limiter.state().estimate();
    d.clock += 200 * MS;

    for (Permit p : d.acquire(10)) {
      p.onDropped(d.clock);
    }

    assertThat(d.limiter.state().estimate()).isEqualTo(estimate * 0.9);
    assertThat(d.limiter.limit()).isEqualTo((int) (estimate * 0.9));
    assertThat(d.limiter.inFlight()).isZero();
  }

  @Test
  void ignoredCompletionsReturnTheSlotAndTeachNothing() {
    Driver d = new Driver(AdaptiveSettings.of(20, 2, 1000));
    d.round(1.0, 40);
    int limit = d.limiter.limit();
    LimitState state = d.limiter.state();
    d.clock += 10_000 * MS;

    for (Permit p : d.acquire(limit)) {
      p.onIgnore();
    }

    assertThat(d.limiter.limit()).isEqualTo(limit);
    assertThat(d.limiter.state()).isEqualTo(state);
    assertThat(d.limiter.inFlight()).isZero();
  }

  @Property(tries = 200)
  void theLimitStaysWithinMinAndMaxWhateverTheLatencies(
      @ForAll @IntRange(min = 1, max = 50) int min,
      @ForAll @IntRange(min = 0, max = 200) int span,
      @ForAll long seed) {
    int max = min + span;
    Driver d = new Driver(AdaptiveSettings.of(min + span / 2, min, max));
    SplittableRandom random = new SplittableRandom(seed);

    for (int i = 0; i < 40; i++) {
      long latencyMs = random.nextInt(4) == 0 ? random.nextLong(1, 3_000) : random.nextLong(1, 60);
      if (random.nextInt(10) == 0) {
        d.clock += 150 * MS;
        for (Permit p : d.acquire(Math.min(d.limiter.limit(), 10))) {
          p.onDropped(d.clock);
        }
      } else {
        d.round(random.nextDouble(), latencyMs);
      }
      assertThat(d.limiter.limit()).isBetween(min, max);
    }
    assertThat(d.limiter.inFlight()).isZero();
  }
}
