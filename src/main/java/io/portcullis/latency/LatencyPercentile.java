package io.portcullis.latency;

/**
 * One percentile of an upstream's recent latency, recomputed at each {@link
 * LatencyHistogram#refresh()} and read for free in between.
 */
public final class LatencyPercentile {

  /** What {@link #nanos()} answers while the window holds too few samples. */
  public static final long NONE = -1;

  private final double percentile;
  private volatile long nanos = NONE;

  LatencyPercentile(double percentile) {
    this.percentile = percentile;
  }

  /** The percentile this tracks, in (0, 100]. */
  public double percentile() {
    return percentile;
  }

  /**
   * The latency at this percentile over the window, as of the last refresh: the upper bound of
   * its histogram bucket (at most 1% above the exact value).
   *
   * @return nanoseconds, or {@link #NONE} when the window held fewer than the histogram's minimum
   *     samples
   */
  public long nanos() {
    return nanos;
  }

  void set(long nanos) {
    this.nanos = nanos;
  }

  @Override
  public String toString() {
    return "p" + percentile + "=" + (nanos == NONE ? "none" : nanos / 1e6 + " ms");
  }
}
