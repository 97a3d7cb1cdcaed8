package io.portcullis.ratelimit;

import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  private final FakeTicker ticker = new FakeTicker(123_456_789L);

  @Test
  void admitsTheBurstThenRefusesWithTheWaitUntilTheNextToken() {
    RateLimiter limiter = new RateLimiter(1, 3, ticker);

    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(SECOND);
    assertThat(limiter.acquire("a")).isEqualTo(SECOND);
  }

  @Test
  void aTokenComesBackExactlyOneIntervalLater() {
    RateLimiter limiter = new RateLimiter(2, 1, ticker);
    assertThat(limiter.acquire("a")).isZero();

    ticker.advanceNanos(SECOND / 2 - 1);
    assertThat(limiter.acquire("a")).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(SECOND / 2);
  }

  @Test
  void refillStopsAtTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 2, ticker);
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();

    ticker.advanceMillis(60_000);

    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(SECOND / 10);
  }

  @Test
  void partialRefillAdmitsOnlyTheTokensEarnedSoFar() {
    RateLimiter limiter = new RateLimiter(4, 4, ticker);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.acquire("a")).isZero();
    }

    ticker.advanceMillis(500); // two tokens at 4/s

    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(SECOND / 4);
  }

  @Test
  void aFractionalRateAdmitsOneRequestEveryTwoSeconds() {
    RateLimiter limiter = new RateLimiter(0.5, 1, ticker);
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(2 * SECOND);

    ticker.advanceMillis(1_999);
    assertThat(limiter.acquire("a")).isEqualTo(1_000_000L);
    ticker.advanceMillis(1);
    assertThat(limiter.acquire("a")).isZero();
  }

  @Test
  void aRateThatIsNoWholeNumberOfNanosecondsPerTokenIsRoundedTowardsFewerRequests() {
    assertThat(RateLimiter.intervalNanos(3, 1)).isEqualTo(333_333_334L);
    assertThat(RateLimiter.intervalNanos(0.1, 1)).isEqualTo(10 * SECOND);
    assertThat(RateLimiter.intervalNanos(1e9, 1)).isEqualTo(1);
    // A vanishing rate stays within range instead of overflowing.
    assertThat(RateLimiter.intervalNanos(1e-300, 1_000_000_000L)).isEqualTo(Long.MAX_VALUE / 2 / 1_000_000_000L);
  }

  @Test
  void retryAfterIsTheWaitInWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(SECOND / 10)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(SECOND)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
    assertThat(RateLimiter.retryAfterSeconds(10 * SECOND)).isEqualTo(10);
  }

  @Test
  void retryAfterOfASlowRateCoversTheWholeWait() {
    RateLimiter limiter = new RateLimiter(0.2, 1, ticker);
    limiter.acquire("a");
    ticker.advanceMillis(1_500);

    assertThat(RateLimiter.retryAfterSeconds(limiter.acquire("a"))).isEqualTo(4); // 3.5 s left
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    RateLimiter limiter = new RateLimiter(1, 1, ticker);

    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isPositive();
    assertThat(limiter.acquire("bob")).isZero();
    assertThat(limiter.acquire("bob")).isPositive();
    assertThat(limiter.keys()).isEqualTo(2);
  }

  @Test
  void keysPastTheBoundShareOneOverflowBucketAndTakeNoMemory() {
    RateLimiter limiter = new RateLimiter(1, 2, 3, ticker);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("owner-" + i)).isZero();
    }

    int admitted = 0;
    for (int i = 0; i < 10_000; i++) {
      if (limiter.acquire("flood-" + i) == 0) {
        admitted++;
      }
    }

    assertThat(limiter.keys()).isEqualTo(3);
    assertThat(admitted).isEqualTo(2); // the overflow bucket's burst, shared by every extra key
    assertThat(limiter.acquire("owner-0")).isZero(); // known keys keep their own bucket
  }

  @Test
  void aFloodOfDistinctKeysNeverHoldsMoreThanTheBound() {
    RateLimiter limiter = new RateLimiter(100, 1, 1_000, ticker);
    for (int i = 0; i < 200_000; i++) {
      limiter.acquire("10.0." + (i >> 8 & 255) + "." + (i & 255) + "#" + i);
      if (i % 1_000 == 0) {
        ticker.advanceMillis(7);
      }
      assertThat(limiter.keys()).isLessThanOrEqualTo(1_000);
    }
  }

  @Test
  void idleBucketsThatAreFullAgainAreEvictedWhenNewKeysArrive() {
    RateLimiter limiter = new RateLimiter(1, 2, 10, ticker);
    for (int i = 0; i < 10; i++) {
      limiter.acquire("old-" + i);
    }
    assertThat(limiter.keys()).isEqualTo(10);

    ticker.advanceMillis(2_000); // two tokens at 1/s: every old bucket is full again
    assertThat(limiter.acquire("new")).isZero();

    assertThat(limiter.keys()).isEqualTo(1);
  }

  @Test
  void bucketsNotYetFullSurviveTheSweepWithTheirState() {
    RateLimiter limiter = new RateLimiter(1, 2, 10, ticker);
    limiter.acquire("busy");
    limiter.acquire("busy");
    ticker.advanceMillis(1_000); // one token back of two: not full; a sweep is due

    assertThat(limiter.acquire("trigger")).isZero();

    assertThat(limiter.keys()).isEqualTo(2);
    assertThat(limiter.acquire("busy")).isZero();
    assertThat(limiter.acquire("busy")).isEqualTo(SECOND);
  }

  @Test
  void sweepsRunAtMostOncePerIntervalSoAFullLimiterRefusesNewKeysCheaply() {
    RateLimiter limiter = new RateLimiter(1, 1, 2, ticker);
    limiter.acquire("a");
    limiter.acquire("b");
    ticker.advanceMillis(1_000); // both full again, and a sweep is due
    limiter.acquire("c");        // sweeps: a and b go, c takes a slot
    assertThat(limiter.keys()).isEqualTo(1);

    limiter.acquire("d");
    ticker.advanceMillis(999);   // c and d full again, but the next sweep is not due yet
    limiter.acquire("e");

    assertThat(limiter.keys()).isEqualTo(2);
    assertThat(limiter.acquire("e")).isPositive(); // e went to the overflow bucket
  }

  @Test
  void anEvictedKeyStartsAgainWithAFullBucket() {
    RateLimiter limiter = new RateLimiter(1, 2, 10, ticker);
    limiter.acquire("a");
    limiter.acquire("a");
    ticker.advanceMillis(2_000);
    limiter.acquire("other"); // evicts a

    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isZero();
    assertThat(limiter.acquire("a")).isEqualTo(SECOND);
  }

  @Test
  void longKeysAreStoredShortenedButStayDistinct() {
    String a = "k".repeat(10_000) + "a";
    String b = "k".repeat(10_000) + "b";

    assertThat(RateLimiter.bounded(a)).hasSize(RateLimiter.MAX_KEY_CHARS);
    assertThat(RateLimiter.bounded(a)).isNotEqualTo(RateLimiter.bounded(b));
    assertThat(RateLimiter.bounded("short")).isEqualTo("short");

    RateLimiter limiter = new RateLimiter(1, 1, ticker);
    assertThat(limiter.acquire(a)).isZero();
    assertThat(limiter.acquire(a)).isPositive();
    assertThat(limiter.acquire(b)).isZero();
  }

  @Test
  void rejectsSettingsThatCannotWork() {
    assertThatThrownBy(() -> new RateLimiter(0, 1, ticker)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(Double.NaN, 1, ticker)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(Double.POSITIVE_INFINITY, 1, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(1, 0, ticker)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(1, 1, 0, ticker)).isInstanceOf(IllegalArgumentException.class);
  }
}
