package io.portcullis.admission;

/**
 * What one sampling window of an adaptive limiter saw.
 *
 * @param latencyNanos the window's latency statistic: the mean of the faster half of its
 *     successes' latencies to the response head, or {@link #NO_SAMPLE} when it had none
 * @param successes completions with a latency sample
 * @param drops timeouts and resets
 * @param maxInFlight the most requests in flight seen when one of them completed
 * @param fastestNanos the latency of the window's fastest success (at most {@code latencyNanos}),
 *     or {@link #NO_SAMPLE} when it had none
 */
public record WindowSummary(long latencyNanos, long successes, long drops, int maxInFlight, long fastestNanos) {

  /** {@link #latencyNanos} of a window without a success. */
  public static final long NO_SAMPLE = Long.MAX_VALUE;

  /**
   * Validates the counts.
   *
   * @throws IllegalArgumentException when a count is negative or the latency is missing or present
   *     against the count of successes
   */
  public WindowSummary {
    if (successes < 0 || drops < 0 || maxInFlight < 0) {
      throw new IllegalArgumentException("negative count: successes " + successes + ", drops " + drops
          + ", maxInFlight " + maxInFlight);
    }
    if (latencyNanos < 0 || (successes == 0) != (latencyNanos == NO_SAMPLE)) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " with " + successes
          + " successes");
    }
    if (fastestNanos < 0 || fastestNanos > latencyNanos || (successes == 0) != (fastestNanos == NO_SAMPLE)) {
      throw new IllegalArgumentException("fastestNanos: " + fastestNanos + " with latencyNanos " + latencyNanos
          + " and " + successes + " successes");
    }
  }

  /**
   * A window whose fastest success took as long as its latency statistic (every success waited
   * alike).
   *
   * @param latencyNanos the window's latency statistic, also its fastest success
   * @param successes completions with a latency sample
   * @param drops timeouts and resets
   * @param maxInFlight the most requests in flight seen when one of them completed
   */
  public WindowSummary(long latencyNanos, long successes, long drops, int maxInFlight) {
    this(latencyNanos, successes, drops, maxInFlight, latencyNanos);
  }

  /** Whether the window holds at least one latency sample. */
  public boolean hasLatency() {
    return successes > 0;
  }
}
