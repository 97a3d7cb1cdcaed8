package io.portcullis.testkit;

import io.portcullis.resilience.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when the test says so. */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos;

  /** A ticker at 0. */
  public FakeTicker() {
    this(0);
  }

  /** A ticker at {@code startNanos}. */
  public FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  /** Moves the ticker on by {@code millis}. */
  public void advanceMillis(long millis) {
    nanos.addAndGet(millis * 1_000_000L);
  }

  /** Moves the ticker on by {@code delta} nanoseconds. */
  public void advanceNanos(long delta) {
    nanos.addAndGet(delta);
  }
}
