package io.portcullis.admission;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Mode {@code adaptive}: the limit follows {@link AdaptiveLimitRule}, judged once per sampling
 * window.
 *
 * <p>Lock-free throughout. Admission is one compare-and-set on the shared in-flight counter
 * against the limit of the current {@link Epoch}. A completion decrements the counter and adds to
 * the epoch's {@link SampleWindow}. The completion that finds the window due (old enough, with
 * enough completions) claims the epoch by compare-and-set (so exactly one thread closes it),
 * computes the next {@link LimitState} and installs the next epoch, with the other of the
 * limiter's two windows; a completion that loses the claim just goes on. So the limit and the
 * state it came from change together, once per window, and no completion ever waits. The only
 * allocation is one small epoch object per window closed (a few per second).
 */
final class AdaptiveLimiter implements ConcurrencyLimiter {

  /** {@link Epoch#startNanos} of the first window, which is due as soon as it is full. */
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final AdaptiveSettings settings;
  private final AtomicInteger inFlight;
  private final AtomicReference<Epoch> epoch;
  private final SampleWindow[] windows = {new SampleWindow(), new SampleWindow()};
  private final Permit permit = new Slot();

  AdaptiveLimiter(AdaptiveSettings settings, AtomicInteger inFlight) {
    this(settings, inFlight, LimitState.initial(settings.initial()));
  }

  AdaptiveLimiter(AdaptiveSettings settings, AtomicInteger inFlight, LimitState state) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
    this.epoch = new AtomicReference<>(new Epoch(state, NOT_STARTED, settings, windows[0]));
  }

  @Override
  public Permit tryAcquire() {
    return Admission.tryIncrement(inFlight, epoch.get().limit) ? permit : Permit.REJECTED;
  }

  @Override
  public int limit() {
    return epoch.get().limit;
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
    return Mode.ADAPTIVE;
  }

  /** The learned state (for the admin view and tests). */
  LimitState state() {
    return epoch.get().state;
  }

  AdaptiveSettings settings() {
    return settings;
  }

  private void closeIfDue(Epoch current, long nowNanos) {
    if (current.startNanos != NOT_STARTED && nowNanos - current.startNanos < current.lengthNanos) {
      return;
    }
    if (current.window.completions() < settings.windowSamples() || !Epoch.CLOSER.compareAndSet(current, 0, 1)) {
      return;
    }
    // Only this thread closes this epoch: it alone resets the other window before reusing it.
    LimitState next = AdaptiveLimitRule.next(current.state, current.window.summary(), nowNanos, settings);
    SampleWindow other = current.window == windows[0] ? windows[1] : windows[0];
    other.reset();
    epoch.set(new Epoch(next, nowNanos, settings, other));
  }

  @Override
  public String toString() {
    Epoch e = epoch.get();
    return "ConcurrencyLimiter[adaptive, limit=" + e.limit + ", inFlight=" + inFlight.get() + ", " + e.state + "]";
  }

  /** One window's worth of state: the limit in force, what it came from, and what it sees. */
  private static final class Epoch {
    /** Claimed (0 to 1) by the one completion that closes the epoch. */
    static final AtomicIntegerFieldUpdater<Epoch> CLOSER = AtomicIntegerFieldUpdater.newUpdater(Epoch.class, "closer");

    final LimitState state;
    final int limit;
    final long startNanos;
    final long lengthNanos;
    final SampleWindow window;
    volatile int closer;

    Epoch(LimitState state, long startNanos, AdaptiveSettings settings, SampleWindow window) {
      this.state = state;
      this.window = window;
      this.limit = state.limit();
      this.startNanos = startNanos;
      long noLoad = state.noLoadNanos();
      long byLatency = noLoad == LimitState.UNKNOWN || noLoad > Long.MAX_VALUE / AdaptiveSettings.WINDOW_RTTS
          ? 0 : noLoad * AdaptiveSettings.WINDOW_RTTS;
      this.lengthNanos = Math.max(settings.windowNanos(), byLatency);
    }
  }

  /** The permit of this limiter, shared by every admitted request. */
  private final class Slot implements Permit {
    @Override
    public boolean admitted() {
      return true;
    }

    @Override
    public void onSuccess(long sentNanos, long headNanos) {
      int before = inFlight.getAndDecrement();
      Epoch current = epoch.get();
      if (current.startNanos == NOT_STARTED || sentNanos - current.startNanos >= 0) {
        current.window.success(headNanos - sentNanos, before);
        closeIfDue(current, headNanos);
      } else {
        // Sent under an earlier limit: its latency says nothing about this one.
        current.window.earlier(before);
      }
    }

    @Override
    public void onDropped(long nowNanos) {
      int before = inFlight.getAndDecrement();
      Epoch current = epoch.get();
      current.window.drop(before);
      closeIfDue(current, nowNanos);
    }

    @Override
    public void onIgnore() {
      inFlight.decrementAndGet();
    }

    @Override
    public String toString() {
      return "Permit[" + AdaptiveLimiter.this + "]";
    }
  }
}
