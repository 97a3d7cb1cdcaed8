package io.portcullis.admission;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live accumulators of one sampling window, written by every event loop without locks:
 * counts in {@link LongAdder}s (no shared cache line to fight over), the minimum latency and the
 * maximum in-flight by compare-and-set only when they improve (rare once the window has settled).
 */
final class SampleWindow {

  private final AtomicLong minLatency = new AtomicLong(WindowSummary.NO_SAMPLE);
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final LongAdder successes = new LongAdder();
  private final LongAdder drops = new LongAdder();

  void success(long latencyNanos, int inFlight) {
    successes.increment();
    long latency = Math.max(0, latencyNanos);
    long current = minLatency.get();
    while (latency < current && !minLatency.compareAndSet(current, latency)) {
      current = minLatency.get();
    }
    raiseMaxInFlight(inFlight);
  }

  /** A completion of a request sent before this window began: it only counts as in flight. */
  void earlier(int inFlight) {
    raiseMaxInFlight(inFlight);
  }

  void drop(int inFlight) {
    drops.increment();
    raiseMaxInFlight(inFlight);
  }

  long completions() {
    return successes.sum() + drops.sum();
  }

  /** A summary; completions racing with it may or may not be in it. */
  WindowSummary summary() {
    long ok = successes.sum();
    long min = minLatency.get();
    // A success counted but whose minimum is not yet written (or the reverse): keep the two consistent.
    if (ok == 0) {
      min = WindowSummary.NO_SAMPLE;
    } else if (min == WindowSummary.NO_SAMPLE) {
      ok = 0;
    }
    return new WindowSummary(min, ok, drops.sum(), maxInFlight.get());
  }

  private void raiseMaxInFlight(int inFlight) {
    int current = maxInFlight.get();
    while (inFlight > current && !maxInFlight.compareAndSet(current, inFlight)) {
      current = maxInFlight.get();
    }
  }
}
