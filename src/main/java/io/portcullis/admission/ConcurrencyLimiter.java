package io.portcullis.admission;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for one upstream: at most {@link #limit()} requests in flight to it,
 * process-wide, counted across event loops without locks.
 *
 * <p>Usage, once per request (or attempt) sent upstream:
 * <pre>{@code
 * Permit permit = limiter.tryAcquire();
 * if (!permit.admitted()) {
 *   // 503 overloaded, Retry-After: 1; nothing sent, not a breaker failure, not retried
 * }
 * long sent = ticker.nanos();  ... send; at the response head: long head = ticker.nanos();
 * ... when the exchange is over: permit.onSuccess(sent, head) | onDropped(now) | onIgnore()
 * }</pre>
 *
 * <p>Three modes ({@link Mode}): {@link #off()} admits everything and counts nothing (no atomic
 * operation, no allocation); {@link #fixed(int)} admits at most {@code max}; {@link
 * #adaptive(AdaptiveSettings)} moves the limit between {@code min} and {@code max} from the
 * latency the upstream shows (see {@link AdaptiveLimitRule} for the algorithm).
 *
 * <p>{@link #tryAcquire()} never blocks and never waits: a full limiter answers {@link
 * Permit#REJECTED} at once. Admission is exact: with a limit of N, never more than N permits are
 * outstanding at the same time, whatever the number of threads.
 */
public interface ConcurrencyLimiter {

  /** What {@link #limit()} answers in mode {@code off}. */
  int UNLIMITED = Integer.MAX_VALUE;

  /** What {@link #inFlight()} answers in mode {@code off}, which does not count. */
  int NOT_COUNTED = -1;

  /** The three modes of {@code upstreams.NAME.concurrency.mode}. */
  enum Mode {
    /** No limit, nothing counted (the default). */
    OFF,
    /** At most {@code max} in flight. */
    FIXED,
    /** A limit learned from latency, between {@code min} and {@code max}. */
    ADAPTIVE
  }

  /**
   * Takes a slot if the limit allows it.
   *
   * @return an admitted permit to complete when the exchange is over, or {@link Permit#REJECTED}
   */
  Permit tryAcquire();

  /**
   * The current limit.
   *
   * @return requests allowed in flight now, or {@link #UNLIMITED} in mode {@code off}
   */
  int limit();

  /**
   * The requests now in flight through this limiter.
   *
   * @return admitted permits not yet completed, or {@link #NOT_COUNTED} in mode {@code off}
   */
  int inFlight();

  /**
   * This limiter's mode.
   *
   * @return the mode
   */
  Mode mode();

  /**
   * A limiter that admits everything and counts nothing ({@code concurrency.mode: "off"}).
   *
   * @return the shared unlimited limiter
   */
  static ConcurrencyLimiter off() {
    return OffLimiter.INSTANCE;
  }

  /**
   * A limiter of at most {@code max} requests in flight ({@code concurrency.mode: "fixed"}).
   *
   * @param max the limit, {@code >= 1}
   * @return a new limiter with nothing in flight
   */
  static ConcurrencyLimiter fixed(int max) {
    return new FixedLimiter(max, new AtomicInteger());
  }

  /**
   * A limiter whose limit follows the upstream's latency ({@code concurrency.mode: "adaptive"}).
   *
   * @param settings its bounds and tuning
   * @return a new limiter at {@code settings.initial()} with nothing in flight
   */
  static ConcurrencyLimiter adaptive(AdaptiveSettings settings) {
    return new AdaptiveLimiter(settings, new AtomicInteger());
  }

  /**
   * The limiter for {@code upstreams.NAME.concurrency} ({@code mode}, {@code initial}, {@code min},
   * {@code max}), built after a configuration (re)load from the one it replaces.
   *
   * <ul>
   *   <li>Unchanged settings: {@code previous} itself, with what it has learned.</li>
   *   <li>Otherwise a new limiter that shares {@code previous}'s in-flight count when both count,
   *       so requests admitted before the reload still count against the new limit (and return
   *       their slot to it); an adaptive limiter replacing an adaptive one keeps the learned
   *       limit, clamped to the new bounds, and the learned latency.</li>
   * </ul>
   *
   * @param mode the mode
   * @param initial the initial limit (adaptive only)
   * @param min the lowest limit (adaptive only)
   * @param max the limit (fixed) or the highest limit (adaptive)
   * @param previous the limiter of the same upstream before the reload, or null
   * @return the limiter to use from now on
   */
  static ConcurrencyLimiter of(Mode mode, int initial, int min, int max, ConcurrencyLimiter previous) {
    switch (mode) {
      case OFF:
        return off();
      case FIXED:
        if (previous instanceof FixedLimiter fixed && fixed.limit() == max) {
          return previous;
        }
        return new FixedLimiter(max, sharedCount(previous));
      case ADAPTIVE:
        AdaptiveSettings settings = AdaptiveSettings.of(initial, min, max);
        if (previous instanceof AdaptiveLimiter adaptive) {
          if (adaptive.settings().equals(settings)) {
            return previous;
          }
          LimitState learned = adaptive.state();
          double estimate = Math.max(min, Math.min(max, learned.probing() ? learned.resumeEstimate() : learned.estimate()));
          return new AdaptiveLimiter(settings, adaptive.inFlightCount(), new LimitState(estimate,
              learned.noLoadNanos(), learned.noLoadSeenNanos(), LimitState.NOT_PROBING, 0, learned.lastWindowNanos(),
              learned.fastestNanos()));
        }
        return new AdaptiveLimiter(settings, sharedCount(previous));
      default:
        throw new IllegalArgumentException("mode: " + mode);
    }
  }

  private static AtomicInteger sharedCount(ConcurrencyLimiter previous) {
    if (previous instanceof FixedLimiter fixed) {
      return fixed.inFlightCount();
    }
    if (previous instanceof AdaptiveLimiter adaptive) {
      return adaptive.inFlightCount();
    }
    return new AtomicInteger();
  }
}
