package io.portcullis.admission;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mode {@code fixed}: at most {@code max} requests in flight. One compare-and-set on the shared
 * counter per admission, one decrement per completion; the same permit object for every request.
 */
final class FixedLimiter implements ConcurrencyLimiter {

  private final int max;
  private final AtomicInteger inFlight;
  private final Permit permit = new Slot();

  FixedLimiter(int max, AtomicInteger inFlight) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    this.max = max;
    this.inFlight = inFlight;
  }

  @Override
  public Permit tryAcquire() {
    return Admission.tryIncrement(inFlight, max) ? permit : Permit.REJECTED;
  }

  @Override
  public int limit() {
    return max;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  /** The in-flight counter, shared with a limiter that replaces this one. */
  AtomicInteger inFlightCount() {
    return inFlight;
  }

  @Override
  public Mode mode() {
    return Mode.FIXED;
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[fixed, limit=" + max + ", inFlight=" + inFlight.get() + "]";
  }

  /** The permit of this limiter: every completion just returns the slot. */
  private final class Slot implements Permit {
    @Override
    public boolean admitted() {
      return true;
    }

    @Override
    public void onSuccess(long sentNanos, long headNanos) {
      inFlight.decrementAndGet();
    }

    @Override
    public void onDropped(long nowNanos) {
      inFlight.decrementAndGet();
    }

    @Override
    public void onIgnore() {
      inFlight.decrementAndGet();
    }

    @Override
    public String toString() {
      return "Permit[" + FixedLimiter.this + "]";
    }
  }
}
