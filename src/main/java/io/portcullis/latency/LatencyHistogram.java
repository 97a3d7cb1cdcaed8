package io.portcullis.latency;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The recent latency distribution of one upstream, over a sliding window of {@code intervals}
 * refresh periods.
 *
 * <p>Writers: each event loop records into its own {@link LatencyRecorder} (HdrHistogram's
 * {@code SingleWriterRecorder}: no lock, no allocation, no cache line shared with the other loops).
 * Readers: {@link LatencyPercentile} handles, registered once (per route, per dashboard) with
 * {@link #percentile(double)}, each holding its value in a volatile field.
 *
 * <p>{@link #refresh()}, called every period by one timer, takes each recorder's interval
 * histogram (the recorder swaps in a fresh one), stores it as the newest interval of the ring in
 * place of the oldest, sums the ring into the window, and recomputes every registered percentile.
 * A window with fewer than {@code minSamples} samples gives {@link LatencyPercentile#NONE} for
 * every percentile. The swap may wait for a writer that is inside its few-nanosecond recording
 * step, and HdrHistogram waits by sleeping 0.5 ms: call {@link #refresh()} from a worker or timer
 * thread, never from an event loop.
 *
 * <p>Values are kept in microseconds from 1 µs to one hour with two significant digits (1%
 * resolution). Memory: about 27 KB per recorder (twice: active and inactive), 14 KB per interval
 * of the ring and 54 KB for the window and the scratch copy; with 2 event loops and 5 intervals,
 * about 230 KB per upstream.
 */
public final class LatencyHistogram {

  /** Lowest value kept apart from zero: 1 µs. */
  static final long LOWEST_MICROS = 1;
  /** Highest value kept: one hour, in µs; anything longer counts as this. */
  public static final long HIGHEST_MICROS = 3_600_000_000L;
  /** Significant decimal digits of each value (1% resolution). */
  static final int SIGNIFICANT_DIGITS = 2;

  private final long minSamples;
  private final List<LatencyRecorder> recorders = new CopyOnWriteArrayList<>();
  private final ConcurrentMap<Double, LatencyPercentile> percentiles = new ConcurrentHashMap<>();
  // Below: touched only inside refresh() and fill(), which are synchronized.
  private final IntCountsHistogram[] ring;
  private final Histogram window = newHistogram();
  private final Histogram scratch = newHistogram();
  private int newest = -1;
  private volatile long samples;

  /**
   * An empty histogram.
   *
   * @param intervals refresh periods in the window, {@code >= 1}
   * @param minSamples samples the window needs before any percentile has a value, {@code >= 1}
   */
  public LatencyHistogram(int intervals, long minSamples) {
    if (intervals < 1) {
      throw new IllegalArgumentException("intervals: " + intervals + " (expected: >= 1)");
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException("minSamples: " + minSamples + " (expected: >= 1)");
    }
    this.minSamples = minSamples;
    this.ring = new IntCountsHistogram[intervals];
    for (int i = 0; i < intervals; i++) {
      ring[i] = new IntCountsHistogram(LOWEST_MICROS, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    }
  }

  /**
   * A recorder for one event loop; keep it and record only from that loop.
   *
   * @return a new recorder, included from the next refresh on
   */
  public LatencyRecorder newRecorder() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorders.add(recorder);
    return recorder;
  }

  /**
   * The handle of one percentile, registered on first request and shared afterwards. It has a value
   * from the next refresh on.
   *
   * @param percentile in (0, 100]
   * @return the handle
   */
  public LatencyPercentile percentile(double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: > 0 and <= 100)");
    }
    return percentiles.computeIfAbsent(percentile, LatencyPercentile::new);
  }

  /**
   * Samples in the window as of the last refresh.
   *
   * @return the count
   */
  public long samples() {
    return samples;
  }

  /**
   * Ends the current interval: gathers every recorder's samples as the newest interval, drops the
   * oldest, and recomputes the registered percentiles. Not for an event loop (see the class
   * comment).
   */
  public synchronized void refresh() {
    newest = (newest + 1) % ring.length;
    IntCountsHistogram interval = ring[newest];
    interval.reset();
    gatherInto(interval, null);
    window.reset();
    for (IntCountsHistogram h : ring) {
      window.add(h);
    }
    publish();
  }

  /**
   * While the window holds fewer than {@code minSamples} samples (a fresh gateway, or an upstream
   * that has not been called for a window's length), adds what the recorders have gathered so far
   * to the current interval without ending it, and recomputes the percentiles: so a percentile
   * gets its first value as soon as enough answers are in, not only at the next {@link #refresh()}.
   * Does nothing once the window is full enough. Not for an event loop (see the class comment).
   *
   * @return whether the window still holds fewer than {@code minSamples} samples afterwards
   */
  public synchronized boolean fill() {
    if (samples >= minSamples) {
      return false;
    }
    if (newest < 0) {
      refresh();
    } else {
      gatherInto(ring[newest], window);
      publish();
    }
    return samples < minSamples;
  }

  /**
   * Whether the window held fewer than {@code minSamples} samples at the last refresh or fill, so
   * that its percentiles have no value yet.
   *
   * @return {@code true} while warming
   */
  public boolean warming() {
    return samples < minSamples;
  }

  /** Adds each recorder's samples since it was last read to {@code interval} (and to {@code also}). */
  private void gatherInto(IntCountsHistogram interval, Histogram also) {
    for (LatencyRecorder recorder : recorders) {
      recorder.recorder().getIntervalHistogramInto(scratch);
      interval.add(scratch);
      if (also != null) {
        also.add(scratch);
      }
      if (recorder.closed()) {
        recorders.remove(recorder);
      }
    }
  }

  /** Publishes the window's count and its percentiles. */
  private void publish() {
    long count = window.getTotalCount();
    samples = count;
    for (LatencyPercentile p : percentiles.values()) {
      p.set(count < minSamples ? LatencyPercentile.NONE : window.getValueAtPercentile(p.percentile()) * 1_000L);
    }
  }

  private static Histogram newHistogram() {
    return new Histogram(LOWEST_MICROS, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
  }

  @Override
  public String toString() {
    return "LatencyHistogram[samples=" + samples + ", " + percentiles.values() + "]";
  }
}
