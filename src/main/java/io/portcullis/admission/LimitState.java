package io.portcullis.admission;

/**
 * The learned state of an adaptive limit, an immutable value that {@link AdaptiveLimitRule}
 * turns into the next one after each sampling window.
 *
 * @param estimate the limit as a real number (the limit applied is its floor), within [min, max]
 * @param noLoadNanos the upstream's latency without queueing: the lowest latency two windows in a
 *     row showed, or {@link #UNKNOWN} before that
 * @param noLoadSeenNanos ticker reading when a window last showed latency within the tolerance
 *     of {@code noLoadNanos} (so it is still true)
 * @param resumeEstimate while a re-measurement of the no-load latency is under way, the estimate
 *     to return to afterwards; otherwise {@link #NOT_PROBING}
 * @param fullWithoutQueue consecutive windows, up to this one, in which the limit was reached and
 *     no queue showed
 * @param lastWindowNanos the latency of the last window that had one, or {@link #UNKNOWN}
 * @param fastestNanos the fastest success any window showed since the no-load latency was last
 *     measured again, or {@link #UNKNOWN} before that: a window whose own fastest success is
 *     within the tolerance of it holds no standing queue
 */
public record LimitState(double estimate, long noLoadNanos, long noLoadSeenNanos, double resumeEstimate,
                         int fullWithoutQueue, long lastWindowNanos, long fastestNanos) {

  /** {@link #noLoadNanos} before anything was measured. */
  public static final long UNKNOWN = Long.MAX_VALUE;
  /** {@link #resumeEstimate} outside a re-measurement. */
  public static final double NOT_PROBING = -1;

  /**
   * The state before the first window.
   *
   * @param initial the configured initial limit
   * @return an estimate of {@code initial} and no known latency
   */
  public static LimitState initial(int initial) {
    return new LimitState(initial, UNKNOWN, 0, NOT_PROBING, 0, UNKNOWN, UNKNOWN);
  }

  /**
   * A state whose fastest success is its no-load latency.
   *
   * @param estimate the limit as a real number
   * @param noLoadNanos the no-load latency, also taken as the fastest success
   * @param noLoadSeenNanos when a window last confirmed the no-load latency
   * @param resumeEstimate the estimate to return to after a re-measurement, or {@link #NOT_PROBING}
   * @param fullWithoutQueue consecutive full windows without a queue
   * @param lastWindowNanos the latency of the last window that had one
   */
  public LimitState(double estimate, long noLoadNanos, long noLoadSeenNanos, double resumeEstimate,
                    int fullWithoutQueue, long lastWindowNanos) {
    this(estimate, noLoadNanos, noLoadSeenNanos, resumeEstimate, fullWithoutQueue, lastWindowNanos, noLoadNanos);
  }

  /** The limit applied: the estimate rounded down. */
  public int limit() {
    return (int) estimate;
  }

  /** Whether the no-load latency is being measured again (the limit is held low for a window). */
  public boolean probing() {
    return resumeEstimate != NOT_PROBING;
  }
}
