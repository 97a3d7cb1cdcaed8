package io.portcullis.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  private static final long MS = 1_000_000L;

  @Test
  void percentilesOfKnownSamplesAreWithinOnePercent() {
    LatencyHistogram histogram = new LatencyHistogram(5, 100);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile p50 = histogram.percentile(50);
    LatencyPercentile p95 = histogram.percentile(95);
    LatencyPercentile p99 = histogram.percentile(99);
    for (int ms = 1; ms <= 1000; ms++) {
      recorder.record(ms * MS);
    }

    histogram.refresh();

    assertThat(histogram.samples()).isEqualTo(1000);
    assertThat((double) p50.nanos()).isCloseTo(500 * MS, within(5.0 * MS));
    assertThat((double) p95.nanos()).isCloseTo(950 * MS, within(9.5 * MS));
    assertThat((double) p99.nanos()).isCloseTo(990 * MS, within(9.9 * MS));
    assertThat(p99.nanos()).as("never below the exact value").isGreaterThanOrEqualTo(990 * MS);
  }

  @Test
  void aTailOfTwoPercentShowsAtP99ButNotAtP95() {
    LatencyHistogram histogram = new LatencyHistogram(5, 100);
    LatencyRecorder recorder = histogram.newRecorder();
    for (int i = 0; i < 1000; i++) {
      recorder.record(i % 50 == 0 ? 1000 * MS : 5 * MS);
    }

    histogram.refresh();

    LatencyPercentile p95 = histogram.percentile(95);
    LatencyPercentile p99 = histogram.percentile(99);
    assertThat(p95.nanos()).as("registered after the refresh: no value yet").isEqualTo(LatencyPercentile.NONE);
    histogram.refresh();
    assertThat(histogram.samples()).as("the window still holds the interval").isEqualTo(1000);
    assertThat((double) p95.nanos()).isCloseTo(5 * MS, within(0.05 * MS));
    assertThat((double) p99.nanos()).isCloseTo(1000 * MS, within(10.0 * MS));
  }

  @Test
  void withFewerSamplesThanTheMinimumThereIsNoValue() {
    LatencyHistogram histogram = new LatencyHistogram(5, 100);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile p95 = histogram.percentile(95);
    for (int i = 0; i < 99; i++) {
      recorder.record(30 * MS);
    }

    histogram.refresh();
    assertThat(p95.nanos()).isEqualTo(LatencyPercentile.NONE);

    recorder.record(30 * MS);
    histogram.refresh();
    assertThat((double) p95.nanos()).isCloseTo(30 * MS, within(0.3 * MS));
  }

  @Test
  void samplesLeaveTheWindowAfterItsIntervals() {
    LatencyHistogram histogram = new LatencyHistogram(3, 10);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile p50 = histogram.percentile(50);
    for (int i = 0; i < 10; i++) {
      recorder.record(100 * MS);
    }
    histogram.refresh();
    for (int i = 0; i < 10; i++) {
      recorder.record(10 * MS);
    }
    histogram.refresh();
    histogram.refresh();
    assertThat(histogram.samples()).isEqualTo(20);

    histogram.refresh(); // the 100 ms interval leaves
    assertThat(histogram.samples()).isEqualTo(10);
    assertThat((double) p50.nanos()).isCloseTo(10 * MS, within(0.1 * MS));

    histogram.refresh(); // and the 10 ms one
    assertThat(histogram.samples()).isZero();
    assertThat(p50.nanos()).isEqualTo(LatencyPercentile.NONE);
  }

  @Test
  void recordersOfSeveralThreadsAddUpWithNothingLostOrCountedTwiceWhileRefreshesRace() throws Exception {
    // One interval: each refresh's window is exactly what was gathered by that refresh.
    LatencyHistogram histogram = new LatencyHistogram(1, 1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    long gathered = 0;
    int refreshes = 0;
    try {
      CountDownLatch start = new CountDownLatch(1);
      Future<?> fast = pool.submit(() -> recordMany(histogram.newRecorder(), start, 2 * MS));
      Future<?> slow = pool.submit(() -> recordMany(histogram.newRecorder(), start, 8 * MS));
      start.countDown();
      while (!fast.isDone() || !slow.isDone()) {
        histogram.refresh();
        gathered += histogram.samples();
        refreshes++;
      }
      fast.get(30, TimeUnit.SECONDS);
      slow.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    histogram.refresh();
    gathered += histogram.samples();

    assertThat(gathered).isEqualTo(400_000);
    assertThat(refreshes).isPositive();
  }

  private static Void recordMany(LatencyRecorder recorder, CountDownLatch start, long nanos) throws InterruptedException {
    start.await();
    for (int i = 0; i < 200_000; i++) {
      recorder.record(nanos);
    }
    return null;
  }

  @Test
  void outOfRangeValuesAreClampedAndNegativeOnesIgnored() {
    LatencyHistogram histogram = new LatencyHistogram(1, 1);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile max = histogram.percentile(100);
    LatencyPercentile min = histogram.percentile(1);

    recorder.record(-5);
    recorder.record(10);
    recorder.record(Long.MAX_VALUE);
    histogram.refresh();

    assertThat(histogram.samples()).isEqualTo(2);
    assertThat(min.nanos()).isEqualTo(1_000);
    assertThat((double) max.nanos()).isCloseTo(LatencyHistogram.HIGHEST_MICROS * 1_000.0,
        within(LatencyHistogram.HIGHEST_MICROS * 10.0));
  }

  @Test
  void aClosedRecorderCountsUntilTheNextRefreshThenIsForgotten() {
    LatencyHistogram histogram = new LatencyHistogram(5, 1);
    LatencyRecorder recorder = histogram.newRecorder();
    recorder.record(5 * MS);
    recorder.close();

    histogram.refresh();
    assertThat(histogram.samples()).isEqualTo(1);

    recorder.record(5 * MS); // after close: never gathered
    histogram.refresh();
    assertThat(histogram.samples()).isEqualTo(1);
  }

  @Test
  void aWarmingWindowGetsItsFirstValueFromAFillWithoutEndingTheInterval() {
    LatencyHistogram histogram = new LatencyHistogram(2, 10);
    LatencyRecorder recorder = histogram.newRecorder();
    LatencyPercentile p50 = histogram.percentile(50);
    assertThat(histogram.warming()).isTrue();

    for (int i = 0; i < 6; i++) {
      recorder.record(5 * MS);
    }
    assertThat(histogram.fill()).as("6 of 10 samples: still warming").isTrue();
    assertThat(histogram.samples()).isEqualTo(6);
    assertThat(p50.nanos()).isEqualTo(LatencyPercentile.NONE);

    for (int i = 0; i < 4; i++) {
      recorder.record(7 * MS);
    }
    assertThat(histogram.fill()).as("10 of 10: warm").isFalse();
    assertThat(histogram.samples()).isEqualTo(10);
    assertThat(histogram.warming()).isFalse();
    assertThat((double) p50.nanos()).isCloseTo(5 * MS, within(0.05 * MS));

    recorder.record(9 * MS);
    assertThat(histogram.fill()).as("a warm window is left to the refresh").isFalse();
    assertThat(histogram.samples()).isEqualTo(10);

    // The fills went into one interval: one refresh later it is still in the 2-interval window
    // (with the sample the last fill left), the next refresh drops it.
    histogram.refresh();
    assertThat(histogram.samples()).isEqualTo(11);
    histogram.refresh();
    assertThat(histogram.samples()).isEqualTo(1);
    histogram.refresh();
    assertThat(histogram.samples()).isZero();
    assertThat(histogram.warming()).isTrue();
    assertThat(p50.nanos()).isEqualTo(LatencyPercentile.NONE);
  }

  @Test
  void theSamePercentileIsOneSharedHandle() {
    LatencyHistogram histogram = new LatencyHistogram(5, 1);

    assertThat(histogram.percentile(95)).isSameAs(histogram.percentile(95.0));
    assertThat(histogram.percentile(95)).isNotSameAs(histogram.percentile(99));
  }

  @Test
  void badArgumentsAreRefusedWithTheirRange() {
    assertThatThrownBy(() -> new LatencyHistogram(0, 1)).hasMessage("intervals: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new LatencyHistogram(1, 0)).hasMessage("minSamples: 0 (expected: >= 1)");
    LatencyHistogram histogram = new LatencyHistogram(1, 1);
    assertThatThrownBy(() -> histogram.percentile(0)).hasMessage("percentile: 0.0 (expected: > 0 and <= 100)");
    assertThatThrownBy(() -> histogram.percentile(120)).hasMessage("percentile: 120.0 (expected: > 0 and <= 100)");
  }
}
