package io.portcullis.resilience;

import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when the test says so. */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos;

  FakeTicker() {
    this(0);
  }

  FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  void advanceMillis(long millis) {
    nanos.addAndGet(millis * 1_000_000L);
  }

  void advanceNanos(long delta) {
    nanos.addAndGet(delta);
  }
}
