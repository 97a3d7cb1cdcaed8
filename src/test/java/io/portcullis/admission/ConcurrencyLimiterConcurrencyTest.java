package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/** Several threads sharing one limiter, as the event loops do. */
class ConcurrencyLimiterConcurrencyTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(4);
  private static final long MS = 1_000_000L;

  @AfterContainer
  static void stopPool() throws InterruptedException {
    POOL.shutdownNow();
    POOL.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Property(tries = 100)
  void aFixedLimitOfNAdmitsExactlyNConcurrentAcquisitionsWhateverTheContention(
      @ForAll @IntRange(min = 1, max = 20_000) int limit,
      @ForAll @IntRange(min = 2, max = 4) int threads) throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed(limit);

    assertThat(acquireUntilRefused(limiter, threads)).isEqualTo(limit);
    assertThat(limiter.inFlight()).isEqualTo(limit);
  }

  @Property(tries = 50)
  void anAdaptiveLimitAdmitsExactlyItsLimitWhateverTheContention(
      @ForAll @IntRange(min = 2, max = 5_000) int initial) throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.adaptive(AdaptiveSettings.of(initial, 1, 10_000));

    assertThat(acquireUntilRefused(limiter, 2)).isEqualTo(initial);
  }

  @Property(tries = 60)
  void withFixedModeTheRequestsInFlightNeverExceedTheLimitAndReturnToZero(
      @ForAll @IntRange(min = 1, max = 16) int limit,
      @ForAll("scripts") List<List<Integer>> scripts) throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.fixed(limit);

    int peak = replay(limiter, scripts);

    assertThat(peak).isBetween(0, limit);
    assertThat(limiter.inFlight()).isZero();
  }

  @Property(tries = 60)
  void withAdaptiveModeTheRequestsInFlightNeverExceedMaxAndReturnToZero(
      @ForAll @IntRange(min = 1, max = 8) int min,
      @ForAll @IntRange(min = 0, max = 24) int span,
      @ForAll("scripts") List<List<Integer>> scripts) throws Exception {
    int max = min + span;
    ConcurrencyLimiter limiter = ConcurrencyLimiter.adaptive(new AdaptiveSettings(min, min, max, 1, 1,
        AdaptiveSettings.DEFAULT_TOLERANCE_NANOS, AdaptiveSettings.DEFAULT_DROP_BACKOFF,
        AdaptiveSettings.DEFAULT_NO_LOAD_HORIZON_NANOS));

    int peak = replay(limiter, scripts);

    assertThat(peak).isBetween(0, max);
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.limit()).isBetween(min, max);
  }

  /**
   * Per thread, a script of operations: 0 acquire; 1, 2, 3 complete the oldest permit held with a
   * success (its latency drawn from the script value), a drop, an ignore. Permits still held at the
   * end are completed.
   */
  @Provide
  Arbitrary<List<List<Integer>>> scripts() {
    Arbitrary<Integer> op = Arbitraries.integers().between(0, 400);
    return op.list().ofMinSize(0).ofMaxSize(300).list().ofMinSize(2).ofMaxSize(4);
  }

  /**
   * Replays the scripts, one thread each, all sharing {@code limiter}; a witness counter, raised
   * after each admission and lowered before each completion, gives the peak held at once.
   */
  private static int replay(ConcurrencyLimiter limiter, List<List<Integer>> scripts) throws Exception {
    AtomicInteger held = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicLong clock = new AtomicLong(1_000 * MS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (List<Integer> script : scripts) {
      done.add(POOL.submit(() -> {
        ArrayDeque<long[]> mine = new ArrayDeque<>();
        ArrayDeque<Permit> permits = new ArrayDeque<>();
        start.await();
        for (int value : script) {
          int kind = value % 4;
          long now = clock.addAndGet(MS);
          if (kind == 0) {
            Permit p = limiter.tryAcquire();
            if (p.admitted()) {
              peak.accumulateAndGet(held.incrementAndGet(), Math::max);
              permits.add(p);
              mine.add(new long[] {now});
            }
          } else if (!permits.isEmpty()) {
            complete(permits.poll(), mine.poll()[0], kind, value, clock, held);
          }
        }
        while (!permits.isEmpty()) {
          complete(permits.poll(), mine.poll()[0], 3, 0, clock, held);
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    return peak.get();
  }

  private static void complete(Permit p, long sent, int kind, int value, AtomicLong clock, AtomicInteger held) {
    held.decrementAndGet();
    long now = clock.addAndGet(MS);
    switch (kind) {
      case 1 -> p.onSuccess(sent, Math.max(sent, now) + value * MS);
      case 2 -> p.onDropped(now);
      default -> p.onIgnore();
    }
  }

  /** Each thread acquires without releasing until refused; the total admitted. */
  private static int acquireUntilRefused(ConcurrencyLimiter limiter, int threads) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> counts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      counts.add(POOL.submit(() -> {
        start.await();
        int admitted = 0;
        while (limiter.tryAcquire().admitted()) {
          admitted++;
        }
        return admitted;
      }));
    }
    start.countDown();
    int total = 0;
    for (Future<Integer> f : counts) {
      total += f.get(30, TimeUnit.SECONDS);
    }
    return total;
  }
}
