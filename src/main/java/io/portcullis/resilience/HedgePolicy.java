package io.portcullis.resilience;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Static hedging policy of one route and upstream (README "Hedged requests"): how long to wait for
 * a response head after the last attempt started before one more attempt starts, and how many
 * extra attempts may be in flight at once. The delay is fixed ({@code hedge.delayMs}) or read, per
 * request, from the upstream's recent latency at a percentile ({@code hedge.percentile}); reading
 * it costs one call of the supplier (one volatile read for {@code latency.LatencyPercentile}).
 */
public final class HedgePolicy {

  /** What {@link #delayMs()} answers when no hedge may start (too few latency samples). */
  public static final long NO_HEDGE = -1;

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final int maxHedges;
  private final long fixedDelayMs;
  private final LongSupplier recentNanos;

  private HedgePolicy(int maxHedges, long fixedDelayMs, LongSupplier recentNanos) {
    if (maxHedges < 1) {
      throw new IllegalArgumentException("maxHedges: " + maxHedges + " (expected: >= 1)");
    }
    this.maxHedges = maxHedges;
    this.fixedDelayMs = fixedDelayMs;
    this.recentNanos = recentNanos;
  }

  /**
   * A hedge {@code delayMs} after the last attempt started.
   *
   * @param delayMs the delay, {@code >= 1}
   * @param maxHedges extra attempts in flight at most, {@code >= 1}
   * @return the policy
   */
  public static HedgePolicy afterDelay(long delayMs, int maxHedges) {
    if (delayMs < 1) {
      throw new IllegalArgumentException("delayMs: " + delayMs + " (expected: >= 1)");
    }
    return new HedgePolicy(maxHedges, delayMs, null);
  }

  /**
   * A hedge after the upstream's recent latency at some percentile.
   *
   * @param recentNanos the latency in nanoseconds, or a negative value while there are too few
   *     samples to tell (then no hedge starts)
   * @param maxHedges extra attempts in flight at most, {@code >= 1}
   * @return the policy
   */
  public static HedgePolicy fromLatency(LongSupplier recentNanos, int maxHedges) {
    return new HedgePolicy(maxHedges, NO_HEDGE, Objects.requireNonNull(recentNanos, "recentNanos"));
  }

  /**
   * The most extra attempts in flight at once (besides the first).
   *
   * @return {@code maxHedges}, {@code >= 1}
   */
  public int maxHedges() {
    return maxHedges;
  }

  /**
   * The delay after the last attempt's start before a hedge starts: the fixed delay, or the recent
   * latency rounded up to whole milliseconds and never below 1 ms.
   *
   * @return milliseconds, or {@link #NO_HEDGE} when the latency is not known yet
   */
  public long delayMs() {
    if (recentNanos == null) {
      return fixedDelayMs;
    }
    long nanos = recentNanos.getAsLong();
    if (nanos < 0) {
      return NO_HEDGE;
    }
    return Math.max(1, (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
  }

  @Override
  public String toString() {
    return "HedgePolicy[" + (recentNanos == null ? "delayMs=" + fixedDelayMs : "from latency") + ", maxHedges="
        + maxHedges + "]";
  }
}
