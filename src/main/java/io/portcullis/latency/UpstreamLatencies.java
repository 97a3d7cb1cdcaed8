package io.portcullis.latency;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The latency histograms of the upstreams that hedging reads (README "Hedged requests",
 * {@code hedge.percentile}), by upstream name, kept across configuration reloads so that a reload
 * does not forget an upstream's recent latency. Only upstreams that a percentile-hedged route
 * calls have one; no other attempt records its latency.
 *
 * <p>The window: {@value #INTERVALS} intervals of {@value #REFRESH_MS} ms (the last 5 s), and a
 * percentile has a value once the window holds at least {@value #MIN_SAMPLES} samples. While a
 * window holds fewer, it is filled every {@value #FILL_MS} ms ({@link #fillWarming()}), so a
 * freshly started gateway hedges after its first {@value #MIN_SAMPLES} answers or so: each
 * request before that goes unhedged.
 */
public final class UpstreamLatencies {

  /** How often {@link #refreshAll()} should run, in milliseconds. */
  public static final long REFRESH_MS = 100;
  /** Intervals in each window. */
  static final int INTERVALS = 50;
  /** Samples a window needs before its percentiles have a value. */
  static final long MIN_SAMPLES = 20;
  /** How often {@link #fillWarming()} should run while a window holds fewer samples, in milliseconds. */
  public static final long FILL_MS = 10;

  private final ConcurrentMap<String, LatencyHistogram> byUpstream = new ConcurrentHashMap<>();

  /**
   * The histogram of {@code upstream}, made on first request.
   *
   * @param upstream the upstream's name
   * @return its histogram, the same one for every call until {@link #retainOnly} drops it
   */
  public LatencyHistogram forUpstream(String upstream) {
    return byUpstream.computeIfAbsent(upstream, name -> new LatencyHistogram(INTERVALS, MIN_SAMPLES));
  }

  /**
   * Forgets the histograms of upstreams not in {@code upstreams}.
   *
   * @param upstreams the names whose histograms are still read
   */
  public void retainOnly(Set<String> upstreams) {
    byUpstream.keySet().retainAll(upstreams);
  }

  /**
   * Refreshes every histogram ({@link LatencyHistogram#refresh()}); not for an event loop.
   */
  public void refreshAll() {
    for (LatencyHistogram histogram : byUpstream.values()) {
      histogram.refresh();
    }
  }

  /**
   * Fills every histogram that holds fewer than {@value #MIN_SAMPLES} samples ({@link
   * LatencyHistogram#fill()}); not for an event loop.
   *
   * @return whether one still holds fewer afterwards
   */
  public boolean fillWarming() {
    boolean warming = false;
    for (LatencyHistogram histogram : byUpstream.values()) {
      if (histogram.warming()) {
        warming |= histogram.fill();
      }
    }
    return warming;
  }

  /**
   * Whether any histogram held fewer than {@value #MIN_SAMPLES} samples at its last refresh or fill.
   *
   * @return {@code true} if a percentile may still be without a value
   */
  public boolean anyWarming() {
    for (LatencyHistogram histogram : byUpstream.values()) {
      if (histogram.warming()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether any upstream has a histogram (so a refresh has work to do).
   *
   * @return {@code true} if at least one histogram is kept
   */
  public boolean isEmpty() {
    return byUpstream.isEmpty();
  }
}
