package io.portcullis.resilience;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * A {@link Ticker} read at most once per event: while a thread is inside an event ({@link #open()}
 * to {@link #close()}), every reading it takes of this clock is the first one it took there.
 * Outside an event, or for a clock over another source than the one read first in the event, each
 * reading is the source's own.
 *
 * <p>Why: the work one event sets off on an event loop asks for the time many times within a few
 * microseconds. A request head, handled at once, takes the request's start, its deadline and the
 * deadline's slot on the timer wheel, the retry budget's second, the first attempt's start and
 * the deadline's expiry check; an upstream response head takes the attempt's end, the retry
 * decision's time left and the concurrency permit's round trip, and a small response's end, which
 * comes in the same read of the upstream connection, the request's duration (each such read is
 * one event: {@code lifecycle.ReadEvents}). What must be the time of its own moment (the milliseconds left that an attempt sends upstream) is read with
 * {@link #fresh()}. Each reading of the system clock costs 50–80 ns on a virtual machine
 * (docs/performance.md, "One clock reading per event"); one per event gives the same times to
 * within the event's own length.
 *
 * <p>Events are per thread (an event loop handles one at a time) and nest: an event opened inside
 * another one is the same event. The reading is taken lazily, by the first {@link #nanos()} inside
 * the event, so an event that asks for no time reads no clock. A clock's reading is kept for that
 * clock's source only: inside an event, a clock over another source reads its own.
 */
public final class EventClock implements Ticker {

  private static final FastThreadLocal<Event> EVENTS = new FastThreadLocal<>() {
    @Override
    protected Event initialValue() {
      return new Event();
    }
  };

  private final Ticker source;

  /** A clock read from {@code source}, once per event. */
  public EventClock(Ticker source) {
    if (source == null) {
      throw new NullPointerException("source");
    }
    this.source = source;
  }

  /** {@code ticker} itself if it is an {@code EventClock}, else one over it. */
  public static EventClock over(Ticker ticker) {
    return ticker instanceof EventClock clock ? clock : new EventClock(ticker);
  }

  @Override
  public long nanos() {
    Event event = EVENTS.get();
    if (event.depth == 0) {
      return source.nanos();
    }
    if (event.source == null) {
      event.source = source;
      event.nanos = source.nanos();
      return event.nanos;
    }
    return event.source == source ? event.nanos : source.nanos();
  }

  /** A reading of the source itself, even inside an event (what must be the time of this moment). */
  @Override
  public long fresh() {
    return source.nanos();
  }

  /**
   * The current thread enters an event (or goes deeper into the one it is in). Every call must be
   * matched by a {@link #close()} on the same thread: {@code open(); try { ... } finally { close(); }}.
   */
  public static void open() {
    EVENTS.get().depth++;
  }

  /** The current thread leaves the event it opened last; the outermost close ends the event. */
  public static void close() {
    Event event = EVENTS.get();
    if (event.depth <= 0) {
      throw new IllegalStateException("EventClock.close() without open() on " + Thread.currentThread().getName());
    }
    if (--event.depth == 0) {
      event.source = null;
    }
  }

  /** One thread's event: how deep it is, and the reading taken in it (and from which source). */
  private static final class Event {
    private int depth;
    private Ticker source;
    private long nanos;
  }
}
