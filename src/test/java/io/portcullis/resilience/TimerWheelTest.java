package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

  private final FakeTicker ticker = new FakeTicker(7_654_321L); // not on a millisecond boundary
  private final FakeScheduler scheduler = new FakeScheduler(); // fires without moving the ticker
  private final TimerWheel wheel = new TimerWheel(ticker, scheduler);
  private final List<String> expired = new ArrayList<>();

  private final class Named extends TimerWheel.Timeout {
    private final String name;
    private final long dueNanos;

    Named(String name, long delayMs) {
      this.name = name;
      this.dueNanos = ticker.nanos() + delayMs * 1_000_000L;
    }

    @Override
    protected void expire() {
      assertThat(ticker.nanos()).as("%s expires no earlier than due", name).isGreaterThanOrEqualTo(dueNanos);
      expired.add(name);
    }
  }

  private Named schedule(String name, long delayMs) {
    Named timeout = new Named(name, delayMs);
    wheel.schedule(timeout, delayMs);
    return timeout;
  }

  /** Moves the clock to the armed timer's time and fires it. */
  private void fireArmed() {
    ticker.advanceMillis(scheduler.lastDelay().orElseThrow());
    assertThat(scheduler.fireNext()).isTrue();
  }

  @Test
  void manyTimeoutsShareOneTimerArmedForTheEarliest() {
    schedule("a", 50);
    schedule("b", 80);
    schedule("c", 20);

    assertThat(scheduler.delays()).containsExactly(51L, 21L); // rounded up to the next 1 ms slot
    assertThat(scheduler.cancelledCount()).isEqualTo(1);
    assertThat(scheduler.pendingCount()).isEqualTo(1);
    assertThat(wheel.size()).isEqualTo(3);
  }

  @Test
  void eachExpiresOnTheFirstSlotAtOrAfterItsDueTimeInOrder() {
    schedule("a", 50);
    schedule("b", 80);
    schedule("c", 20);

    fireArmed();
    assertThat(expired).containsExactly("c");
    fireArmed();
    assertThat(expired).containsExactly("c", "a");
    fireArmed();
    assertThat(expired).containsExactly("c", "a", "b");
    assertThat(wheel.size()).isZero();
    assertThat(scheduler.pendingCount()).isZero();
  }

  @Test
  void aCancelledTimeoutNeverExpiresAndLeavesTheTimerToRunOutOnce() {
    Named a = schedule("a", 50);

    assertThat(a.cancel()).isTrue();
    assertThat(a.cancel()).isFalse();
    assertThat(a.pending()).isFalse();
    fireArmed();

    assertThat(expired).isEmpty();
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(scheduler.delays()).hasSize(1);
  }

  @Test
  void aTimeoutMoreThanOneTurnAwayWaitsForItsOwnTurn() {
    schedule("far", TimerWheel.SLOTS + 100);
    schedule("near", 10);

    fireArmed();
    assertThat(expired).containsExactly("near");
    while (expired.size() < 2) {
      fireArmed(); // passes the far one's slot in earlier turns without expiring it
    }
    assertThat(expired).containsExactly("near", "far");
  }

  @Test
  void anExpiryMayScheduleAnotherTimeout() {
    TimerWheel.Timeout chained = new TimerWheel.Timeout() {
      @Override
      protected void expire() {
        expired.add("first");
        schedule("second", 5);
      }
    };
    wheel.schedule(chained, 10);

    fireArmed();
    fireArmed();

    assertThat(expired).containsExactly("first", "second");
  }

  @Test
  void aThrowingExpiryDoesNotStopTheOthers() {
    wheel.schedule(new TimerWheel.Timeout() {
      @Override
      protected void expire() {
        throw new IllegalStateException("boom");
      }
    }, 10);
    schedule("other", 10);

    fireArmed();

    assertThat(expired).containsExactly("other");
  }

  @Test
  void aZeroDelayExpiresOnTheTimersNextRun() {
    schedule("now", 0);

    assertThat(scheduler.delays()).containsExactly(1L);
    fireArmed();
    assertThat(expired).containsExactly("now");
  }

  @Test
  void randomTimeoutsExpireWithinOneSlotOfTheirDueTimeAndNeverBefore() {
    Random random = new Random(42);
    List<Named> all = new ArrayList<>();
    List<Named> cancelled = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Named t = schedule("t" + i, random.nextInt(5000));
      all.add(t);
      if (random.nextInt(4) == 0) {
        t.cancel();
        cancelled.add(t);
      }
      if (random.nextInt(10) == 0) {
        ticker.advanceNanos(random.nextInt(3_000_000));
      }
    }
    while (scheduler.pendingCount() > 0) {
      fireArmed();
      for (Named t : all) {
        if (t.pending()) {
          assertThat(t.dueNanos).as("%s is still pending", t.name).isGreaterThan(ticker.nanos() - 1_000_000L);
        }
      }
    }
    assertThat(expired).hasSize(all.size() - cancelled.size());
    assertThat(wheel.size()).isZero();
  }
}
