package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.JitterMode;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final long BASE_MS = 25;
  private static final long MAX_MS = 250;
  private static final long SEED = 42;

  /** Runs retries 1..count, feeding each delay back as the previous one, from a seeded Random. */
  private static long[] sequence(JitterMode mode, int count, long seed) {
    Random random = new Random(seed);
    long[] delays = new long[count];
    long previous = BASE_MS;
    for (int retry = 1; retry <= count; retry++) {
      delays[retry - 1] = Backoff.delayMs(mode, retry, BASE_MS, MAX_MS, previous, random);
      previous = delays[retry - 1];
    }
    return delays;
  }

  private static long exp(int retry) {
    return Math.min(MAX_MS, BASE_MS * (1L << (retry - 1)));
  }

  @Test
  void fullJitterDrawsUniformlyUpToTheCappedExponentialForSeed42() {
    Random expected = new Random(SEED);
    long[] fromFormula = new long[8];
    for (int retry = 1; retry <= 8; retry++) {
      fromFormula[retry - 1] = expected.nextLong(0, exp(retry) + 1);
    }

    assertThat(sequence(JitterMode.FULL, 8, SEED))
        .containsExactly(fromFormula)
        .containsExactly(5, 4, 63, 40, 187, 139, 61, 125);
  }

  @Test
  void equalJitterKeepsTheLowerHalfAndDrawsTheUpperHalfForSeed42() {
    Random expected = new Random(SEED);
    long[] fromFormula = new long[8];
    for (int retry = 1; retry <= 8; retry++) {
      long exp = exp(retry);
      long half = exp / 2;
      fromFormula[retry - 1] = half + expected.nextLong(0, exp - half + 1);
    }

    assertThat(sequence(JitterMode.EQUAL, 8, SEED))
        .containsExactly(fromFormula)
        .containsExactly(23, 25, 76, 126, 236, 143, 169, 151);
  }

  @Test
  void decorrelatedJitterDrawsBetweenBaseAndThreeTimesThePreviousSleepForSeed42() {
    Random expected = new Random(SEED);
    long[] fromFormula = new long[8];
    long previous = BASE_MS;
    for (int retry = 1; retry <= 8; retry++) {
      long drawn = expected.nextLong(BASE_MS, previous * 3 + 1);
      previous = Math.min(MAX_MS, drawn);
      fromFormula[retry - 1] = previous;
    }

    assertThat(sequence(JitterMode.DECORRELATED, 8, SEED))
        .containsExactly(fromFormula)
        .containsExactly(71, 89, 120, 95, 82, 109, 30, 75);
  }

  @Test
  void noJitterIsTheCappedExponential() {
    assertThat(sequence(JitterMode.NONE, 8, SEED))
        .containsExactly(25, 50, 100, 200, 250, 250, 250, 250);
  }

  @Test
  void noJitterDrawsNothingFromTheGenerator() {
    Random used = new Random(SEED);
    for (int retry = 1; retry <= 8; retry++) {
      Backoff.delayMs(JitterMode.NONE, retry, BASE_MS, MAX_MS, BASE_MS, used);
    }

    assertThat(used.nextLong()).isEqualTo(new Random(SEED).nextLong());
  }

  @Test
  void everyModeStaysWithinTheCap() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (JitterMode mode : JitterMode.values()) {
      long previous = BASE_MS;
      for (int i = 0; i < 10_000; i++) {
        int retry = 1 + (i % 70);
        long delay = Backoff.delayMs(mode, retry, BASE_MS, MAX_MS, previous, random);
        assertThat(delay).as("%s retry %d", mode, retry).isBetween(0L, MAX_MS);
        previous = delay;
      }
    }
  }

  @Test
  void fullJitterReachesBothEndsOfItsRange() {
    SplittableRandom random = new SplittableRandom(SEED);
    boolean sawZero = false;
    boolean sawExp = false;
    for (int i = 0; i < 2_000; i++) {
      long delay = Backoff.delayMs(JitterMode.FULL, 1, 3, 250, 3, random);
      sawZero |= delay == 0;
      sawExp |= delay == 3;
    }
    assertThat(sawZero).isTrue();
    assertThat(sawExp).isTrue();
  }

  @Test
  void exponentialDoesNotOverflowAtLargeRetryNumbers() {
    assertThat(Backoff.exponential(62, 1, Long.MAX_VALUE)).isEqualTo(1L << 61);
    assertThat(Backoff.exponential(63, 1, Long.MAX_VALUE)).isEqualTo(1L << 62);
    assertThat(Backoff.exponential(64, 1, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Backoff.exponential(62, BASE_MS, MAX_MS)).isEqualTo(MAX_MS);
    assertThat(Backoff.exponential(62, 3, Long.MAX_VALUE)).isEqualTo(3L << 61);
    assertThat(Backoff.exponential(62, 4, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Backoff.exponential(Integer.MAX_VALUE, BASE_MS, MAX_MS)).isEqualTo(MAX_MS);
    assertThat(Backoff.exponential(2, Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void retry62NeitherOverflowsNorLeavesTheRangeInAnyMode() {
    Random random = new Random(SEED);
    for (JitterMode mode : JitterMode.values()) {
      long delay = Backoff.delayMs(mode, 62, BASE_MS, MAX_MS, MAX_MS, random);
      assertThat(delay).as("%s", mode).isBetween(0L, MAX_MS);
      long uncapped = Backoff.delayMs(mode, 62, 1_000, Long.MAX_VALUE, Long.MAX_VALUE, random);
      assertThat(uncapped).as("%s uncapped", mode).isGreaterThanOrEqualTo(0L);
    }
    assertThat(Backoff.delayMs(JitterMode.NONE, 62, 1_000, Long.MAX_VALUE, 0, random))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void zeroBaseGivesZeroDelays() {
    Random random = new Random(SEED);
    for (JitterMode mode : JitterMode.values()) {
      assertThat(Backoff.delayMs(mode, 5, 0, MAX_MS, 0, random)).as("%s", mode).isZero();
    }
  }

  @Test
  void decorrelatedWithBaseAboveTheCapIsTheCap() {
    assertThat(Backoff.delayMs(JitterMode.DECORRELATED, 1, 500, MAX_MS, 500, new Random(SEED)))
        .isEqualTo(MAX_MS);
  }

  @Test
  void rejectsRetryBelowOneAndNegativeDelays() {
    Random random = new Random(SEED);
    assertThatThrownBy(() -> Backoff.delayMs(JitterMode.FULL, 0, BASE_MS, MAX_MS, BASE_MS, random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.delayMs(JitterMode.FULL, 1, -1, MAX_MS, BASE_MS, random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.delayMs(JitterMode.FULL, 1, BASE_MS, -1, BASE_MS, random))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
