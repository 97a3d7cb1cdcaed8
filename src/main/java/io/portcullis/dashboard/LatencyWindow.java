package io.portcullis.dashboard;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * p50 and p99 of each upstream's time to response head over about the last minute, for the
 * dashboard, from the buckets of {@code portcullis_upstream_request_duration_seconds}: nothing is
 * measured twice. The histogram counts cumulatively since start, so a reading of its buckets is
 * kept at most every {@link #STEP_NANOS} for {@link #WINDOW_NANOS}, and the quantiles cover the
 * attempts counted between the oldest reading kept and now, estimated as Prometheus's
 * {@code histogram_quantile} does: linearly within the bucket where the rank falls, and the largest
 * bound when it falls past it. Work happens only when the page asks (on the admin event loop).
 */
final class LatencyWindow {

  /** Least time between two kept readings of one upstream. */
  static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How far back the quantiles reach. */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** p50 and p99 in milliseconds. */
  record Quantiles(double p50Ms, double p99Ms) {
  }

  /**
   * One reading of a histogram: cumulative counts per bucket bound (null: every one 0, the
   * histogram did not exist yet), and the total (the {@code +Inf} bucket).
   */
  private record Reading(long nanos, double[] counts, double total) {

    double count(int bucket) {
      return counts == null ? 0 : counts[bucket];
    }
  }

  private final Map<String, ArrayDeque<Reading>> readings = new HashMap<>();

  /**
   * The quantiles of {@code upstream}'s {@code histogram} since the oldest reading kept, or null
   * when no attempt got a response head in that time (or this is the first reading in a window).
   * A null {@code histogram} (no attempt yet) is read as all zeros, so the first attempts are
   * covered once it exists.
   */
  Quantiles quantiles(String upstream, Timer histogram, long nowNanos) {
    if (histogram == null) {
      keep(upstream, new Reading(nowNanos, null, 0));
      return null;
    }
    HistogramSnapshot snapshot = histogram.takeSnapshot();
    CountAtBucket[] buckets = snapshot.histogramCounts();
    if (buckets.length == 0) {
      return null;
    }
    double[] bounds = new double[buckets.length];
    double[] counts = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
      counts[i] = buckets[i].count();
    }
    Reading now = new Reading(nowNanos, counts, snapshot.count());
    Reading base = keep(upstream, now);
    if (base == null || (base.counts() != null && base.counts().length != counts.length)) {
      return null;
    }
    double[] delta = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      delta[i] = counts[i] - base.count(i);
    }
    double total = now.total() - base.total();
    if (total <= 0) {
      return null;
    }
    return new Quantiles(quantile(0.5, bounds, delta, total), quantile(0.99, bounds, delta, total));
  }

  /**
   * Drops {@code upstream}'s readings older than the window, keeps {@code now} if the last kept is
   * older than a step, and returns the oldest reading in the window before {@code now} (null if none).
   */
  private Reading keep(String upstream, Reading now) {
    ArrayDeque<Reading> kept = readings.computeIfAbsent(upstream, name -> new ArrayDeque<>());
    while (!kept.isEmpty() && now.nanos() - kept.peekFirst().nanos() > WINDOW_NANOS) {
      kept.removeFirst();
    }
    Reading base = kept.peekFirst();
    if (kept.isEmpty() || now.nanos() - kept.peekLast().nanos() >= STEP_NANOS) {
      kept.addLast(now);
    }
    return base;
  }

  /** Forgets the upstreams not in {@code names} (gone after a reload). */
  void retain(java.util.Set<String> names) {
    readings.keySet().retainAll(names);
  }

  /**
   * The {@code q}-quantile of {@code total} observations whose cumulative counts per upstream bound
   * {@code bounds} are {@code cumulative}, as {@code histogram_quantile} estimates it.
   */
  static double quantile(double q, double[] bounds, double[] cumulative, double total) {
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank) {
        double inBucket = cumulative[i] - lowerCount;
        double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
        return lowerBound + (bounds[i] - lowerBound) * fraction;
      }
      lowerBound = bounds[i];
      lowerCount = cumulative[i];
    }
    return bounds[bounds.length - 1];
  }
}
