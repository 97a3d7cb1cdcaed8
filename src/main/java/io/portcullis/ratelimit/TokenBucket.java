package io.portcullis.ratelimit;

import io.portcullis.resilience.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One token bucket of {@code capacity} tokens refilled at one token per {@code intervalNanos},
 * lock-free and safe to share across event loops.
 *
 * <p>It is kept in the GCRA form (the generic cell rate algorithm, equivalent to a token bucket):
 * the whole state is one {@code long}, the "theoretical arrival time" {@code tat} at which the
 * bucket would be full again, held in an {@link AtomicLong} and changed by CAS only. A request at
 * time {@code now} takes a token when {@code max(tat, now) + interval - now <= capacity *
 * interval}; otherwise the difference is the wait until the next token. A bucket whose
 * {@code tat} is not after {@code now} is full: it is then equivalent to a new one, which is what
 * lets {@link RateLimiter} evict it ({@link #retireIfFull}).
 *
 * <p>Times are readings of a {@link Ticker}; only differences are compared, so a ticker with any
 * origin works. The caller supplies {@code now}, so this class holds no clock of its own.
 */
public final class TokenBucket {

  /** {@link #tryAcquire} result: the token was taken. */
  public static final long ADMITTED = 0;
  /** {@link #tryAcquire} result: the bucket was retired by eviction; use a fresh one. */
  public static final long RETIRED = -1;

  // A tat value no live bucket holds (a ticker reading this far from any other is not monotonic).
  private static final long RETIRED_MARK = Long.MIN_VALUE;

  private final long intervalNanos;
  private final long toleranceNanos;
  private final AtomicLong tat;

  /**
   * A full bucket.
   *
   * @param intervalNanos nanoseconds per token, {@code >= 1}
   * @param capacity tokens the bucket holds (the burst), {@code >= 1}; {@code capacity *
   *     intervalNanos} must fit in a {@code long}
   * @param nowNanos the current ticker reading
   */
  public TokenBucket(long intervalNanos, long capacity, long nowNanos) {
    if (intervalNanos < 1) {
      throw new IllegalArgumentException("intervalNanos: " + intervalNanos + " (expected: >= 1)");
    }
    if (capacity < 1 || capacity > Long.MAX_VALUE / 2 / intervalNanos) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1 and capacity * "
          + intervalNanos + " ns within range)");
    }
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = capacity * intervalNanos;
    this.tat = new AtomicLong(nowNanos);
  }

  /**
   * Takes one token if there is one.
   *
   * @param nowNanos the current ticker reading
   * @return {@link #ADMITTED}; or, when the bucket is empty, the nanoseconds until the next token
   *     (always {@code >= 1}); or {@link #RETIRED} when the bucket was evicted
   */
  public long tryAcquire(long nowNanos) {
    while (true) {
      long current = tat.get();
      if (current == RETIRED_MARK) {
        return RETIRED;
      }
      long base = current - nowNanos > 0 ? current : nowNanos;
      long next = base + intervalNanos;
      long ahead = next - nowNanos;
      if (ahead > toleranceNanos) {
        return ahead - toleranceNanos;
      }
      if (tat.compareAndSet(current, next)) {
        return ADMITTED;
      }
    }
  }

  /** Whether the bucket holds all its tokens at {@code nowNanos} (it is then like a new one). */
  public boolean isFull(long nowNanos) {
    long current = tat.get();
    return current != RETIRED_MARK && current - nowNanos <= 0;
  }

  /**
   * Retires the bucket if it is full at {@code nowNanos}: from then on {@link #tryAcquire}
   * answers {@link #RETIRED}, so no token is ever taken from a bucket that has been evicted.
   *
   * @return whether it was retired by this call
   */
  public boolean retireIfFull(long nowNanos) {
    while (true) {
      long current = tat.get();
      if (current == RETIRED_MARK || current - nowNanos > 0) {
        return false;
      }
      if (tat.compareAndSet(current, RETIRED_MARK)) {
        return true;
      }
    }
  }
}
