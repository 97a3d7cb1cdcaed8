package io.portcullis.resilience;

import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final FakeTicker ticker = new FakeTicker();

  private static int acquireAll(RetryBudget budget, int tries) {
    int granted = 0;
    for (int i = 0; i < tries; i++) {
      if (budget.tryAcquireRetry()) {
        granted++;
      }
    }
    return granted;
  }

  private static void record(RetryBudget budget, int requests) {
    for (int i = 0; i < requests; i++) {
      budget.recordRequest();
    }
  }

  @Test
  void minPerSecondAloneAllowsTenSecondsWorth() {
    RetryBudget budget = new RetryBudget(0, 1, ticker);

    assertThat(acquireAll(budget, 50)).isEqualTo(10);
    assertThat(budget.retriesInWindow()).isEqualTo(10);
  }

  @Test
  void ratioAloneAllowsThatShareOfTheRequests() {
    RetryBudget budget = new RetryBudget(0.2, 0, ticker);
    record(budget, 100);

    assertThat(acquireAll(budget, 50)).isEqualTo(20);
    assertThat(budget.requestsInWindow()).isEqualTo(100);
  }

  @Test
  void ratioAndMinimumAddUp() {
    RetryBudget budget = new RetryBudget(0.5, 1, ticker);
    record(budget, 10);

    assertThat(acquireAll(budget, 50)).isEqualTo(15);
  }

  @Test
  void noBudgetMeansNoRetry() {
    RetryBudget budget = new RetryBudget(0, 0, ticker);
    record(budget, 1_000);

    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void fractionalProductsThatRoundBelowTheIntegerStillAllowIt() {
    RetryBudget budget = new RetryBudget(0.57, 0, ticker); // 0.57 * 100 = 56.99999999999999
    record(budget, 100);

    assertThat(acquireAll(budget, 100)).isEqualTo(57);
  }

  @Test
  void requestsMadeLaterInTheWindowRaiseTheBudget() {
    RetryBudget budget = new RetryBudget(0.5, 0, ticker);
    record(budget, 4);
    assertThat(acquireAll(budget, 10)).isEqualTo(2);

    ticker.advanceMillis(3_000);
    record(budget, 4);

    assertThat(acquireAll(budget, 10)).isEqualTo(2);
    assertThat(budget.requestsInWindow()).isEqualTo(8);
    assertThat(budget.retriesInWindow()).isEqualTo(4);
  }

  @Test
  void theWindowSlidesSecondBySecond() {
    RetryBudget budget = new RetryBudget(0, 1, ticker);
    assertThat(acquireAll(budget, 5)).isEqualTo(5); // t = 0 s
    ticker.advanceMillis(5_000);
    assertThat(acquireAll(budget, 10)).isEqualTo(5); // t = 5 s: 5 left
    ticker.advanceMillis(4_999);
    assertThat(budget.tryAcquireRetry()).isFalse(); // t = 9.999 s: both seconds still inside

    ticker.advanceMillis(1); // t = 10 s: second 0 leaves the window
    assertThat(budget.retriesInWindow()).isEqualTo(5);
    assertThat(acquireAll(budget, 10)).isEqualTo(5);

    ticker.advanceMillis(5_000); // t = 15 s: second 5 leaves the window
    assertThat(budget.retriesInWindow()).isEqualTo(5);
    ticker.advanceMillis(10_000); // t = 25 s: everything left
    assertThat(budget.retriesInWindow()).isZero();
    assertThat(acquireAll(budget, 20)).isEqualTo(10);
  }

  @Test
  void requestsOlderThanTheWindowNoLongerCount() {
    RetryBudget budget = new RetryBudget(1, 0, ticker);
    record(budget, 10);
    ticker.advanceMillis(9_999);
    assertThat(budget.requestsInWindow()).isEqualTo(10);

    ticker.advanceMillis(1);

    assertThat(budget.requestsInWindow()).isZero();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void aLongIdleGapDoesNotResurrectOldBuckets() {
    RetryBudget budget = new RetryBudget(1, 0, ticker);
    record(budget, 10);

    ticker.advanceMillis(100_000); // the same bucket index ten windows later

    assertThat(budget.requestsInWindow()).isZero();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void worksWithNegativeTickerReadings() {
    FakeTicker negative = new FakeTicker(-5_500_000_000L);
    RetryBudget budget = new RetryBudget(0, 1, negative);
    assertThat(acquireAll(budget, 20)).isEqualTo(10);

    negative.advanceMillis(10_000);

    assertThat(acquireAll(budget, 20)).isEqualTo(10);
  }

  @Test
  void concurrentRetriesNeverExceedTheBound() throws Exception {
    RetryBudget budget = new RetryBudget(0.1, 1, ticker);
    record(budget, 1_000); // bound: 0.1 * 1000 + 1 * 10 = 110
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> granted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        granted.add(pool.submit(() -> {
          start.await();
          return acquireAll(budget, 10_000);
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> g : granted) {
        total += g.get(10, TimeUnit.SECONDS);
      }

      assertThat(total).isEqualTo(110);
      assertThat(budget.retriesInWindow()).isEqualTo(110);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentRequestsAndRetriesStayWithinTheBound() throws Exception {
    RetryBudget budget = new RetryBudget(0.2, 0.5, ticker);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> granted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        granted.add(pool.submit(() -> {
          start.await();
          int mine = 0;
          for (int i = 0; i < 5_000; i++) {
            budget.recordRequest();
            if (budget.tryAcquireRetry()) {
              mine++;
            }
            if (budget.tryAcquireRetry()) {
              mine++;
            }
            // Invariant at every moment: retries <= ratio * requests + min * 10.
            long retries = budget.retriesInWindow();
            long requests = budget.requestsInWindow();
            if (retries > 0.2 * requests + 5 + 1e-9) {
              throw new AssertionError("retries " + retries + " over bound at " + requests);
            }
          }
          return mine;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> g : granted) {
        total += g.get(10, TimeUnit.SECONDS);
      }

      assertThat(budget.requestsInWindow()).isEqualTo(20_000);
      assertThat((long) total).isEqualTo(budget.retriesInWindow());
      // The bound at the end is 0.2 * 20000 + 0.5 * 10 = 4005; two tries per request keep it
      // saturated, so the last few grants are all that scheduling can leave unused.
      assertThat(total).isBetween(4_000, 4_005);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rejectsNegativeOrNonFiniteParameters() {
    assertThatThrownBy(() -> new RetryBudget(-0.1, 1, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBudget(Double.NaN, 1, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBudget(0.1, Double.POSITIVE_INFINITY, ticker))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
