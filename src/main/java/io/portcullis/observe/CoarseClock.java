package io.portcullis.observe;

import io.micrometer.core.instrument.Clock;

/**
 * The meter registry's clock: monotonic time from {@code source} as it is, wall time as of the
 * last {@link #tick} (the gateway ticks it every {@link #TICK_MS} ms). Micrometer reads the wall
 * clock only to rotate its time windows (a timer's decaying maximum, a histogram's buffers), yet
 * it reads it on every record: twice per timer, four times per proxied request. A wall time up to
 * {@link #TICK_MS} ms old moves a window's edge by that much and changes no count, sum or bucket
 * (docs/performance.md, "Hot path, second pass").
 */
public final class CoarseClock implements Clock {

  /** How often the gateway refreshes the wall time, in milliseconds. */
  public static final long TICK_MS = 100;

  private final Clock source;
  private volatile long wallTime;

  /** A clock reading {@code source}, its wall time read once now. */
  public CoarseClock(Clock source) {
    this.source = source;
    this.wallTime = source.wallTime();
  }

  /** Reads the source's wall time again. */
  public void tick() {
    wallTime = source.wallTime();
  }

  /** The source's wall time at the last {@link #tick} (or creation). */
  @Override
  public long wallTime() {
    return wallTime;
  }

  /** The source's monotonic time, read now. */
  @Override
  public long monotonicTime() {
    return source.monotonicTime();
  }
}
