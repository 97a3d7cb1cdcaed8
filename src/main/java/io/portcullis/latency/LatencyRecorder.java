package io.portcullis.latency;

import org.HdrHistogram.SingleWriterRecorder;

/**
 * Where one event loop records the latencies of one upstream. A recorder has a single writer:
 * obtain one per event loop from {@link LatencyHistogram#newRecorder()} and call {@link #record}
 * only from that loop. Recording takes no lock and allocates nothing: two uncontended atomic
 * increments (HdrHistogram's writer phaser) and a counter increment in the interval histogram.
 */
public final class LatencyRecorder {

  private final SingleWriterRecorder recorder;
  private volatile boolean closed;

  LatencyRecorder() {
    this.recorder = new SingleWriterRecorder(LatencyHistogram.LOWEST_MICROS, LatencyHistogram.HIGHEST_MICROS,
        LatencyHistogram.SIGNIFICANT_DIGITS);
  }

  /**
   * Records one latency. Below 1 µs counts as 1 µs, beyond {@link LatencyHistogram#HIGHEST_MICROS}
   * as that; a negative value (a clock that went backwards) is ignored.
   *
   * @param latencyNanos the latency in nanoseconds
   */
  public void record(long latencyNanos) {
    if (latencyNanos < 0) {
      return;
    }
    long micros = latencyNanos / 1_000L;
    recorder.recordValue(Math.min(LatencyHistogram.HIGHEST_MICROS, Math.max(LatencyHistogram.LOWEST_MICROS, micros)));
  }

  /**
   * Stops using this recorder (its event loop is going away). What it recorded since the last
   * refresh still counts; the next refresh forgets it.
   */
  public void close() {
    closed = true;
  }

  boolean closed() {
    return closed;
  }

  SingleWriterRecorder recorder() {
    return recorder;
  }
}
