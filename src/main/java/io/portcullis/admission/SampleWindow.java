package io.portcullis.admission;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The live accumulators of one sampling window, written by every event loop without locks: the
 * latencies in an HdrHistogram {@link AtomicHistogram} (one atomic increment of a bucket and one
 * of the total per sample), drops in a {@link LongAdder}, and the maximum in-flight by
 * compare-and-set only when it rises.
 *
 * <p>A limiter keeps two windows and alternates them ({@link #reset()} before reuse), so closing
 * a window allocates nothing but HdrHistogram's iterator. A completion that read the epoch just before it changed may still
 * write into the window after it was summarized, even after its reset for reuse a window later;
 * such a straggler moves one count by one, which no decision notices.
 */
final class SampleWindow {

  /** Latencies are kept in microseconds, from 1 µs to one hour. */
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  // One significant digit: buckets of 3% to 6%, 4 KB of counts.
  private final AtomicHistogram latency = new AtomicHistogram(1, HIGHEST_MICROS, 1);
  /**
   * The counts of {@link #latency} as one summary saw them: HdrHistogram's iterators refuse a
   * histogram whose total changes under them (a completion racing with the summary), so the
   * summary copies the counts here, bucket by bucket, and iterates the copy. Only the one thread
   * that closes this window reads it.
   */
  private final Histogram seen = new Histogram(1, HIGHEST_MICROS, 1);
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final LongAdder drops = new LongAdder();

  void success(long latencyNanos, int inFlight) {
    long micros = Math.max(1, Math.min(HIGHEST_MICROS, latencyNanos / 1_000L));
    latency.recordValue(micros);
    raiseMaxInFlight(inFlight);
  }

  /** A completion of a request sent before this window began: it only counts as in flight. */
  void earlier(int inFlight) {
    raiseMaxInFlight(inFlight);
  }

  void drop(int inFlight) {
    drops.increment();
    raiseMaxInFlight(inFlight);
  }

  long completions() {
    return latency.getTotalCount() + drops.sum();
  }

  /** A summary; completions racing with it may or may not be in it. */
  WindowSummary summary() {
    seen.reset();
    seen.add(latency);
    long successes = seen.getTotalCount();
    if (successes == 0) {
      return new WindowSummary(WindowSummary.NO_SAMPLE, successes, drops.sum(), maxInFlight.get(), WindowSummary.NO_SAMPLE);
    }
    long nanos = Math.max(1_000L, lowerHalfMeanMicros(successes) * 1_000L);
    long fastest = Math.min(nanos, Math.max(1_000L, fastestMicros() * 1_000L));
    return new WindowSummary(nanos, successes, drops.sum(), maxInFlight.get(), fastest);
  }

  /** The window's fastest success, taken at the middle of its histogram bucket as the mean is. */
  private long fastestMicros() {
    for (HistogramIterationValue v : seen.recordedValues()) {
      return seen.medianEquivalentValue(v.getValueIteratedTo());
    }
    return 1;
  }

  /**
   * The window's latency statistic (see {@link AdaptiveLimitRule}): the mean of the faster half of
   * its latencies, each taken at the middle of its histogram bucket.
   */
  private long lowerHalfMeanMicros(long total) {
    long remaining = (total + 1) / 2;
    long taken = 0;
    double sum = 0;
    for (HistogramIterationValue v : seen.recordedValues()) {
      long take = Math.min(v.getCountAtValueIteratedTo(), remaining);
      sum += take * (double) seen.medianEquivalentValue(v.getValueIteratedTo());
      taken += take;
      remaining -= take;
      if (remaining == 0) {
        break;
      }
    }
    return taken == 0 ? 1 : Math.round(sum / taken);
  }

  /** Empties the window for reuse. */
  void reset() {
    latency.reset();
    drops.reset();
    maxInFlight.set(0);
  }

  private void raiseMaxInFlight(int inFlight) {
    int current = maxInFlight.get();
    while (inFlight > current && !maxInFlight.compareAndSet(current, inFlight)) {
      current = maxInFlight.get();
    }
  }
}
