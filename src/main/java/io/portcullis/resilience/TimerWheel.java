package io.portcullis.resilience;

import java.util.Objects;

/**
 * One-shot timeouts of many requests on one event loop, kept in a hashed wheel of 1 ms slots and
 * driven by a single {@link Scheduler} timer, instead of one timer each
 * ({@code docs/performance.md}: a timer per request cost a scheduled task, its handler and a
 * priority-queue insert and removal on every request).
 *
 * <p>A {@link Timeout} is linked into the slot of the first tick at or after its due time; adding
 * and cancelling it are a few field writes. The one timer is armed for the earliest slot that
 * holds a timeout: when it fires, every timeout whose due time has passed expires (at most one
 * tick, 1 ms, after it was due, plus the event loop's own lateness), and the timer is armed again
 * for the next slot that holds one. Cancelled timeouts leave the timer as it is: it fires, finds
 * nothing due and moves on, so a steady stream of requests that finish in time costs no timer
 * work at all. A slot holds the timeouts of every turn of the wheel ({@value #SLOTS} ms); those of
 * a later turn stay when their slot comes round.
 *
 * <p>Confined to one thread: the event loop whose scheduler runs the timer (the scheduler must run
 * its tasks on the thread that schedules them, as {@link Scheduler#of} does on an event loop).
 */
public final class TimerWheel {

  /** Length of a slot. */
  static final long TICK_NANOS = 1_000_000L;
  /** Slots in the wheel (a power of two). */
  static final int SLOTS = 2048;
  private static final int MASK = SLOTS - 1;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  /** Longest delay kept exactly (a year); longer ones are due then. */
  private static final long MAX_DELAY_MS = 365L * 24 * 3600 * 1000;

  /** Something that times out: extend it with what {@link #expire()} does. */
  public abstract static class Timeout implements Scheduler.Cancellable {
    private TimerWheel wheel;
    private Timeout previous;
    private Timeout next;
    private long dueNanos;
    private int slot;

    /** Called once, on the wheel's thread, when the timeout is due (never after {@link #cancel}). */
    protected abstract void expire();

    /** Whether the timeout is scheduled and has neither expired nor been cancelled. */
    public final boolean pending() {
      return wheel != null;
    }

    /**
     * Cancels the timeout if it is still pending.
     *
     * @return {@code true} if this call stopped it from expiring
     */
    @Override
    public final boolean cancel() {
      TimerWheel w = wheel;
      if (w == null) {
        return false;
      }
      w.unlink(this);
      return true;
    }
  }

  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Timeout[] slots = new Timeout[SLOTS];
  private final Runnable onTimer = this::onTimer;
  private int size;
  /** Every tick up to this one has been expired. */
  private long processedTick;
  private Scheduler.Cancellable timer;
  /** The tick the timer is armed for; {@link Long#MAX_VALUE} when it is not armed. */
  private long timerTick = Long.MAX_VALUE;

  /**
   * A wheel on {@code ticker}'s clock, whose timer is {@code scheduler}'s.
   *
   * @param ticker the clock of due times
   * @param scheduler runs the wheel's one timer on this wheel's thread
   */
  public TimerWheel(Ticker ticker, Scheduler scheduler) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.processedTick = Math.floorDiv(ticker.nanos(), TICK_NANOS);
  }

  /**
   * Schedules {@code timeout} to expire {@code delayMs} milliseconds from now (at once, on the
   * timer's next run, when zero or less).
   *
   * @throws IllegalStateException if {@code timeout} is already pending
   */
  public void schedule(Timeout timeout, long delayMs) {
    if (timeout.wheel != null) {
      throw new IllegalStateException("timeout already pending");
    }
    long now = ticker.nanos();
    long due = now + Math.min(Math.max(delayMs, 0), MAX_DELAY_MS) * NANOS_PER_MILLI;
    long nowTick = Math.floorDiv(now, TICK_NANOS);
    if (size == 0 && processedTick < nowTick) {
      processedTick = nowTick; // nothing is waiting in the ticks between
    }
    long tick = Math.max(-Math.floorDiv(-due, TICK_NANOS), processedTick + 1);
    int slot = (int) (tick & MASK);
    Timeout head = slots[slot];
    timeout.wheel = this;
    timeout.dueNanos = due;
    timeout.slot = slot;
    timeout.previous = null;
    timeout.next = head;
    if (head != null) {
      head.previous = timeout;
    }
    slots[slot] = timeout;
    size++;
    if (tick < timerTick) {
      arm(tick, now);
    }
  }

  /** Timeouts pending. */
  public int size() {
    return size;
  }

  private void unlink(Timeout timeout) {
    Timeout previous = timeout.previous;
    Timeout next = timeout.next;
    if (previous == null) {
      slots[timeout.slot] = next;
    } else {
      previous.next = next;
    }
    if (next != null) {
      next.previous = previous;
    }
    timeout.wheel = null;
    timeout.previous = null;
    timeout.next = null;
    size--;
  }

  private void arm(long tick, long now) {
    Scheduler.Cancellable armed = timer;
    if (armed != null) {
      armed.cancel();
    }
    long delayNanos = tick * TICK_NANOS - now;
    long delayMs = Math.max(1, -Math.floorDiv(-delayNanos, NANOS_PER_MILLI));
    timerTick = tick;
    timer = scheduler.schedule(delayMs, onTimer);
  }

  private void onTimer() {
    timer = null;
    timerTick = Long.MAX_VALUE;
    long now = ticker.nanos();
    long currentTick = Math.floorDiv(now, TICK_NANOS);
    long from = Math.max(processedTick + 1, currentTick - MASK);
    Timeout expired = null;
    for (long tick = from; tick <= currentTick; tick++) {
      Timeout t = slots[(int) (tick & MASK)];
      while (t != null) {
        Timeout next = t.next;
        if (t.dueNanos - now <= 0) {
          unlink(t);
          t.next = expired;
          expired = t;
        }
        t = next;
      }
    }
    if (currentTick > processedTick) {
      processedTick = currentTick;
    }
    while (expired != null) {
      Timeout t = expired;
      expired = t.next;
      t.next = null;
      try {
        t.expire();
      } catch (RuntimeException e) {
        Unexpected.report("a timeout", e);
      }
    }
    // The earliest slot that holds a timeout (an expiry may have scheduled one, and armed for it).
    long base = processedTick;
    for (int i = 1; size > 0 && i <= SLOTS && base + i < timerTick; i++) {
      if (slots[(int) ((base + i) & MASK)] != null) {
        arm(base + i, ticker.nanos());
        return;
      }
    }
  }
}
