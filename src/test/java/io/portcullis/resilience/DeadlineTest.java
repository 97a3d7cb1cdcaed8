package io.portcullis.resilience;

import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.resilience.Deadline.CancelReason;
import java.util.ArrayList;
import java.util.List;
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
  void insideAnEventTheTimeLeftIsTheEventsAndTheTimeLeftNowIsReadAgain() {
    EventClock clock = new EventClock(ticker);
    EventClock.open();
    try {
      Deadline deadline = Deadline.after(100, clock);
      ticker.advanceNanos(1_500_000); // the event takes 1.5 ms
      assertThat(deadline.remainingMillis()).as("the event's reading").isEqualTo(100);
      assertThat(deadline.expired()).isFalse();
      assertThat(deadline.remainingMillisNow()).as("a reading of this moment").isEqualTo(98);
    } finally {
      EventClock.close();
    }
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
  void callbacksRunOnceInTheOrderTheyWereRegisteredLessTheRemovedOnes() {
    Deadline deadline = Deadline.after(100, ticker);
    List<Integer> ran = new ArrayList<>();
    List<Deadline.Registration> registrations = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      registrations.add(deadline.onCancel(() -> ran.add(n)));
    }
    registrations.get(0).remove();
    registrations.get(4).remove();
    registrations.get(9).remove();

    deadline.cancel(CancelReason.CLIENT_GONE);
    deadline.cancel(CancelReason.CLIENT_GONE);

    assertThat(ran).containsExactly(1, 2, 3, 5, 6, 7, 8);
  }

  @Test
  void aCallbackMayRemoveALaterOneOrRegisterAnotherWhileTheCancelRuns() {
    Deadline deadline = Deadline.after(100, ticker);
    List<String> ran = new ArrayList<>();
    Deadline.Registration[] later = new Deadline.Registration[1];
    deadline.onCancel(() -> {
      ran.add("first");
      later[0].remove();
      deadline.onCancel(() -> ran.add("registered during the cancel"));
    });
    later[0] = deadline.onCancel(() -> ran.add("removed"));
    deadline.onCancel(() -> ran.add("last"));

    deadline.cancel(CancelReason.DEADLINE_EXCEEDED);

    assertThat(ran).containsExactly("first", "registered during the cancel", "last");
  }
}
