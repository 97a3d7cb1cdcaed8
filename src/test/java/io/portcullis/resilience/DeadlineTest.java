package io.portcullis.resilience;

import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.resilience.Deadline.CancelReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  private final FakeTicker ticker = new FakeTicker(123_456_789L);

  @Test
  void remainingIsTheFloorOfWhatIsLeftAndZeroOncePassed() {
    Deadline deadline = Deadline.after(100, ticker);
    assertThat(deadline.budgetMs()).isEqualTo(100);
    assertThat(deadline.remainingMillis()).isEqualTo(100);

    ticker.advanceNanos(500_000); // 99.5 ms left
    assertThat(deadline.remainingMillis()).isEqualTo(99);
    assertThat(deadline.expired()).isFalse();

    ticker.advanceNanos(99_499_999); // 1 ns left
    assertThat(deadline.remainingMillis()).isZero();
    assertThat(deadline.expired()).isFalse();

    ticker.advanceNanos(1);
    assertThat(deadline.remainingMillis()).isZero();
    assertThat(deadline.expired()).isTrue();

    ticker.advanceMillis(1_000);
    assertThat(deadline.remainingMillis()).isZero();
    assertThat(deadline.expired()).isTrue();
  }

  @Test
  void aZeroBudgetIsExpiredAtOnce() {
    Deadline deadline = Deadline.after(0, ticker);

    assertThat(deadline.expired()).isTrue();
    assertThat(deadline.remainingMillis()).isZero();
  }

  @Test
  void aHugeBudgetDoesNotOverflow() {
    Deadline deadline = Deadline.after(Long.MAX_VALUE, ticker);
    ticker.advanceMillis(1_000_000);

    assertThat(deadline.expired()).isFalse();
    assertThat(deadline.remainingMillis()).isPositive();
  }

  @Test
  void rejectsANegativeBudget() {
    assertThatThrownBy(() -> Deadline.after(-1, ticker))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancelRecordsTheFirstReasonAndRunsEachCallbackOnce() {
    Deadline deadline = Deadline.after(100, ticker);
    List<String> ran = new ArrayList<>();
    deadline.onCancel(() -> ran.add("a"));
    deadline.onCancel(() -> ran.add("b"));
    assertThat(deadline.isCancelled()).isFalse();
    assertThat(deadline.cancelReason()).isNull();

    assertThat(deadline.cancel(CancelReason.CLIENT_GONE)).isTrue();
    assertThat(deadline.cancel(CancelReason.DEADLINE_EXCEEDED)).isFalse();

    assertThat(ran).containsExactly("a", "b");
    assertThat(deadline.isCancelled()).isTrue();
    assertThat(deadline.cancelReason()).isEqualTo(CancelReason.CLIENT_GONE);
    assertThat(deadline.expired()).isFalse();
  }

  @Test
  void aCallbackRegisteredAfterTheCancelRunsAtOnce() {
    Deadline deadline = Deadline.after(100, ticker);
    deadline.cancel(CancelReason.ABORTED);
    AtomicInteger runs = new AtomicInteger();

    Deadline.Registration registration = deadline.onCancel(runs::incrementAndGet);
    registration.remove();
    deadline.cancel(CancelReason.ABORTED);

    assertThat(runs).hasValue(1);
  }

  @Test
  void aRemovedCallbackDoesNotRun() {
    Deadline deadline = Deadline.after(100, ticker);
    AtomicInteger runs = new AtomicInteger();
    Deadline.Registration registration = deadline.onCancel(runs::incrementAndGet);

    registration.remove();
    registration.remove();
    deadline.cancel(CancelReason.COMPLETED);

    assertThat(runs).hasValue(0);
  }

  @Test
  void aThrowingCallbackIsReportedAndDoesNotStopTheOthers() {
    List<Throwable> reported = new ArrayList<>();
    Deadline deadline = Deadline.after(100, ticker, reported::add);
    AtomicInteger runs = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom");
    deadline.onCancel(() -> {
      throw boom;
    });
    deadline.onCancel(runs::incrementAndGet);

    assertThat(deadline.cancel(CancelReason.CLIENT_GONE)).isTrue();

    assertThat(runs).hasValue(1);
    assertThat(reported).containsExactly(boom);
  }

  @Test
  void aThrowingCallbackRegisteredAfterTheCancelIsReportedToo() {
    List<Throwable> reported = new ArrayList<>();
    Deadline deadline = Deadline.after(100, ticker, reported::add);
    deadline.cancel(CancelReason.CLIENT_GONE);

    deadline.onCancel(() -> {
      throw new IllegalStateException("late");
    });

    assertThat(reported).hasSize(1);
  }

  @Test
  void aDeadlineExceededCancelCountsAsExpired() {
    Deadline deadline = Deadline.after(100, ticker);

    deadline.cancel(CancelReason.DEADLINE_EXCEEDED);

    assertThat(deadline.expired()).isTrue();
    assertThat(deadline.remainingMillis()).isEqualTo(100);
  }

  @Test
  void concurrentCancelsAndRegistrationsRunEachCallbackExactlyOnce() throws Exception {
    for (int round = 0; round < 50; round++) {
      Deadline deadline = Deadline.after(100, ticker);
      int callbacks = 200;
      AtomicInteger runs = new AtomicInteger();
      AtomicInteger firstCancels = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 2; t++) {
          pool.submit(() -> {
            start.await();
            for (int i = 0; i < callbacks / 2; i++) {
              deadline.onCancel(runs::incrementAndGet);
            }
            return null;
          });
          pool.submit(() -> {
            start.await();
            if (deadline.cancel(CancelReason.CLIENT_GONE)) {
              firstCancels.incrementAndGet();
            }
            return null;
          });
        }
        start.countDown();
      } finally {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }

      assertThat(firstCancels).hasValue(1);
      assertThat(runs).hasValue(callbacks);
    }
  }
}
