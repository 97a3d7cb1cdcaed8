package io.portcullis.admission;

/**
 * The adaptive limit's algorithm, a pure function from one {@link LimitState} and one sampling
 * window to the next state. It is TCP Vegas' rule (as Netflix's {@code VegasLimit} applies it to
 * request concurrency), judged once per window on the faster half of the window's latencies,
 * with an absolute tolerance and a one-step decrease.
 *
 * <p>Notation: {@code L} the current estimate; {@code w} this window's latency: the mean of the
 * faster half of its latencies to the response head; {@code f} its fastest latency; {@code m} the
 * no-load latency, the lowest {@code w} that two windows in a row showed; {@code f0} the lowest
 * {@code f} any window showed since {@code m} was last measured again; {@code tol} the tolerance
 * ({@link AdaptiveSettings#toleranceNanos()}, 5 ms); {@code lg = max(1, log10 L)}.
 * <pre>
 *   queue     q = L · max(0, w − m − tol) / w      requests waiting rather than being served,
 *                                                  when f > f0 + tol (every request waited)
 *             q = 0                                otherwise: no standing queue
 *   alpha = 3·lg,  beta = 6·lg
 *
 *   fewer than L/2 in flight:           L' = L                  (not using the limit: learn nothing)
 *   q ≤ lg:                             L' = L + beta           (no queue: grow fast)
 *     ... and the limit was reached in this window and the one before: L' = max(L + beta, 2·L)
 *   q < alpha:                          L' = L + lg             (little queue: grow slowly)
 *   q > beta:                           L' = max(L/2, L − q + alpha)   (queue: drop to what the
 *                                                                upstream serves, plus alpha)
 *   otherwise:                          L' = L
 *   a timeout or reset in the window:   L' = min(L', 0.9 · L)   (dropBackoff)
 *   then L' is clamped to [min, max]; the limit applied is floor(L').
 * </pre>
 *
 * <p>Why the faster half: a queue that nearly every request of a window waited in is a standing
 * queue (CoDel's observation), while the slow requests of a window are often just slow requests.
 * The faster half ignores a heavy tail and a brief pause of the gateway, and moves by the full
 * queueing delay as soon as a backend's FIFO queue stands. Why its mean rather than a percentile
 * or the minimum: a share of cheap requests (fast 404s, cache hits) moves a mean only by that
 * share, while a percentile or the minimum jumps between windows that happen to hold a few more or
 * fewer of them, and makes every other window look queued.
 *
 * <p>Why {@code f}: an upstream's FIFO queue delays every request of a window, its fastest too,
 * while the gateway's own delay (an event loop busy with other sockets, a collection, a CPU taken
 * by another process) delays the heads that arrive during it and leaves the others alone. Without
 * this test a slow gateway read as a queue: the limit of a healthy upstream halved window after
 * window and shed its traffic, and the 503s only kept the gateway busier (CoDel's standing-queue
 * test: the minimum over an interval, not its mean, shows a standing queue). The minimum only
 * vetoes a queue here, so its jumps between windows (one cheap request more or fewer) are
 * harmless: a window without a cheap request lifts the veto and leaves the decision to {@code w}.
 *
 * <p>Why {@code tol}: in front of a sub-millisecond upstream, the gateway's own event-loop
 * scheduling adds a few milliseconds under load, which would otherwise read as a queue many times
 * the no-load latency. Why the one-step decrease: Vegas' fixed step ({@code L − lg}) needs
 * hundreds of windows to come down from a limit grown under healthy traffic, while {@code L − q}
 * is the concurrency the upstream served without queueing in that window. Why doubling only after
 * two full windows without a queue: at the knee of a saturated backend, one such window is often
 * just a lull in the arrivals, and doubling there overshoots into a queue.
 *
 * <p>At equilibrium, in front of a backend with {@code W} workers and service time {@code S}
 * that the offered load saturates, {@code w = S · L / W} and so {@code q ≈ L − W − tol·W/S}: the
 * limit settles at {@code W} plus a standing queue of alpha to beta requests (about 3 to 6).
 *
 * <p>The no-load latency {@code m} only goes down, and only to what two windows in a row showed
 * ({@code m' = min(m, max(w, w_previous))}), so one window that happened to hold mostly cheap
 * requests does not set it for good. It goes up only when it is re-measured: a window whose
 * {@code w} is within {@code tol} of {@code m} confirms it; when it has gone unconfirmed for {@link
 * AdaptiveSettings#noLoadHorizonNanos()} (30 s: a long overload, or an upstream whose latency rose
 * for good), the limit drops for one window to {@code max(min, L − q)}, which drains the standing
 * queue without idling the upstream, that window's {@code w} becomes the new {@code m} (and its
 * {@code f} the new {@code f0}), and the estimate returns to {@code L}.
 */
public final class AdaptiveLimitRule {

  private AdaptiveLimitRule() {
  }

  /**
   * The estimated number of requests queueing in front of the upstream.
   *
   * @param limit the current estimate {@code L}
   * @param noLoadNanos the no-load latency {@code m}
   * @param windowNanos the window's latency {@code w}
   * @param toleranceNanos the tolerance {@code tol}
   * @return {@code q}, {@code >= 0}
   */
  public static double queue(double limit, long noLoadNanos, long windowNanos, long toleranceNanos) {
    if (windowNanos <= 0) {
      return 0;
    }
    double excess = (double) windowNanos - noLoadNanos - toleranceNanos;
    return excess <= 0 ? 0 : limit * excess / windowNanos;
  }

  /**
   * The state after a window.
   *
   * @param state the state during the window
   * @param window what the window saw
   * @param nowNanos the ticker reading at the window's end
   * @param settings bounds and tuning
   * @return the next state
   */
  public static LimitState next(LimitState state, WindowSummary window, long nowNanos, AdaptiveSettings settings) {
    if (state.probing()) {
      return endProbe(state, window, nowNanos, settings);
    }
    long noLoad = state.noLoadNanos();
    long seen = state.noLoadSeenNanos();
    long w = window.latencyNanos();
    long last = state.lastWindowNanos();
    long fastest = state.fastestNanos();
    if (window.hasLatency()) {
      // Set and lowered only to what this window and the one before both showed.
      long shownTwice = last == LimitState.UNKNOWN ? LimitState.UNKNOWN : Math.max(w, last);
      if (shownTwice < noLoad) {
        noLoad = shownTwice;
        seen = nowNanos;
      } else if (w - noLoad <= settings.toleranceNanos()) {
        seen = nowNanos;
      }
      last = w;
      fastest = Math.min(fastest, window.fastestNanos());
    }
    double limit = state.estimate();
    double queue = window.hasLatency() && noLoad != LimitState.UNKNOWN && standing(window, fastest, settings)
        ? queue(limit, noLoad, w, settings.toleranceNanos()) : 0;
    if (window.hasLatency() && noLoad != LimitState.UNKNOWN && nowNanos - seen > settings.noLoadHorizonNanos()) {
      double drained = clamp(Math.floor(limit - queue), settings);
      return new LimitState(drained, noLoad, seen, limit, 0, last, fastest);
    }
    double next = limit;
    boolean full = window.maxInFlight() >= (int) limit;
    boolean fullWithoutQueue = window.hasLatency() && full && queue <= log(limit) && window.drops() == 0;
    if (window.hasLatency() && window.maxInFlight() >= limit / 2) {
      next = vegas(limit, queue, fullWithoutQueue && state.fullWithoutQueue() > 0);
    }
    if (window.drops() > 0) {
      next = Math.min(next, limit * settings.dropBackoff());
    }
    return new LimitState(clamp(next, settings), noLoad, seen, LimitState.NOT_PROBING,
        fullWithoutQueue ? state.fullWithoutQueue() + 1 : 0, last, fastest);
  }

  /**
   * Whether a window with latency shows a standing queue: its fastest success, too, waited more
   * than the tolerance beyond the fastest success seen ({@code f > f_min + tol}). A window in
   * which some request went through without waiting holds no standing queue, however slow its
   * faster half: that is the gateway's own delay (an event loop busy with other sockets, a
   * collection, a CPU taken by another process), which delays the heads that arrive during it
   * and not the others, while an upstream's FIFO queue delays every request.
   *
   * @param window what the window saw, with at least one success
   * @param fastest {@code f_min}, this window included
   * @param settings the tolerance
   * @return whether the queue estimate applies
   */
  static boolean standing(WindowSummary window, long fastest, AdaptiveSettings settings) {
    return window.fastestNanos() - fastest > settings.toleranceNanos();
  }

  /**
   * Vegas' step on an estimate that is in use.
   *
   * @param limit the estimate {@code L}
   * @param queue the estimated queue {@code q}
   * @param doubling whether the limit was reached without a queue in this window and the one
   *     before
   * @return the next estimate, before clamping
   */
  static double vegas(double limit, double queue, boolean doubling) {
    double lg = log(limit);
    double alpha = 3 * lg;
    double beta = 6 * lg;
    if (queue <= lg) {
      return doubling ? Math.max(limit + beta, 2 * limit) : limit + beta;
    }
    if (queue < alpha) {
      return limit + lg;
    }
    if (queue > beta) {
      return Math.max(limit / 2, limit - queue + alpha);
    }
    return limit;
  }

  /** {@code lg = max(1, log10 L)}. */
  static double log(double limit) {
    return Math.max(1, Math.log10(limit));
  }

  private static LimitState endProbe(LimitState state, WindowSummary window, long nowNanos,
                                     AdaptiveSettings settings) {
    double resume = state.resumeEstimate();
    if (window.drops() > 0) {
      resume = clamp(resume * settings.dropBackoff(), settings);
    }
    if (!window.hasLatency()) {
      return new LimitState(resume, state.noLoadNanos(), state.noLoadSeenNanos(), LimitState.NOT_PROBING, 0,
          state.lastWindowNanos(), state.fastestNanos());
    }
    return new LimitState(resume, window.latencyNanos(), nowNanos, LimitState.NOT_PROBING, 0, window.latencyNanos(),
        window.fastestNanos());
  }

  private static double clamp(double estimate, AdaptiveSettings settings) {
    return Math.max(settings.min(), Math.min(settings.max(), estimate));
  }
}
