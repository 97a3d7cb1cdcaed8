package io.portcullis.ratelimit;

import io.portcullis.testkit.FakeTicker;
import io.portcullis.resilience.Ticker;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/** Threads hammering one limiter never get more tokens than exist. */
class RateLimiterConcurrencyTest {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(4);

  @AfterContainer
  static void stopPool() throws InterruptedException {
    POOL.shutdownNow();
    POOL.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Property(tries = 60)
  void withAFrozenClockExactlyTheBurstIsAdmittedWhateverTheContention(
      @ForAll @IntRange(min = 1, max = 200_000) int burst,
      @ForAll @IntRange(min = 2, max = 4) int threads,
      @ForAll @IntRange(min = 1, max = 3) int keys) throws Exception {
    RateLimiter limiter = new RateLimiter(0.5, burst, new FakeTicker(42));

    List<Integer> admittedPerKey = hammer(limiter, threads, keys, 0);

    assertThat(admittedPerKey).containsOnly(burst);
  }

  @Property(tries = 5)
  void aMillionTokenBurstUnderFourThreadsIsAdmittedExactly(@ForAll @IntRange(min = 1, max = 3) int keys)
      throws Exception {
    RateLimiter limiter = new RateLimiter(1, 1_000_000, new FakeTicker());

    assertThat(hammer(limiter, 4, keys, 0)).containsOnly(1_000_000);
  }

  @Property(tries = 20)
  void withAMovingClockNoKeyEverGetsMoreThanBurstPlusTheRefill(
      @ForAll @IntRange(min = 1, max = 50) int burst,
      @ForAll @IntRange(min = 2, max = 4) int threads) throws Exception {
    FakeTicker ticker = new FakeTicker();
    // Every call moves time by 1 ms; at 100/s that is one token per 10 calls across all threads.
    Ticker moving = () -> {
      ticker.advanceMillis(1);
      return ticker.nanos();
    };
    RateLimiter limiter = new RateLimiter(100, burst, moving);

    int admitted = hammer(limiter, threads, 1, 500).get(0);

    long elapsedMs = ticker.nanos() / 1_000_000L;
    assertThat(admitted).isLessThanOrEqualTo((int) (burst + elapsedMs / 10));
    assertThat(admitted).isGreaterThanOrEqualTo(burst);
  }

  /**
   * Each thread calls {@code acquire} {@code perThread} times per key, or with {@code perThread}
   * 0 until its first refusal on each key; the admitted count per key.
   */
  private static List<Integer> hammer(RateLimiter limiter, int threads, int keys, int perThread) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<int[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(POOL.submit(() -> {
        int[] admitted = new int[keys];
        start.await();
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
          names[k] = "key-" + k;
        }
        boolean[] refused = new boolean[keys];
        int open = keys;
        for (int i = 0; perThread == 0 ? open > 0 : i < perThread; i++) {
          for (int k = 0; k < keys; k++) {
            if (refused[k] && perThread == 0) {
              continue;
            }
            if (limiter.acquire(names[k]) == 0) {
              admitted[k]++;
            } else if (!refused[k]) {
              refused[k] = true;
              open--;
            }
          }
        }
        return admitted;
      }));
    }
    start.countDown();
    int[] total = new int[keys];
    for (Future<int[]> f : results) {
      int[] one = f.get(30, TimeUnit.SECONDS);
      for (int k = 0; k < keys; k++) {
        total[k] += one[k];
      }
    }
    List<Integer> list = new ArrayList<>();
    for (int n : total) {
      list.add(n);
    }
    return list;
  }
}
