package io.portcullis.lifecycle;

import io.portcullis.resilience.Ticker;
import org.slf4j.Logger;

/**
 * How long each phase of {@link Gateway#start} took, logged once at debug level when start-up
 * ends ("start-up phases: vertx 212 ms, runtime 35 ms, ..."): the figures behind
 * docs/performance.md "Start-up and memory, second pass". Not thread-safe: marked in turn by the
 * steps of one start-up chain, each after the previous one completed.
 */
final class StartupTimeline {

  private final Ticker ticker;
  private final StringBuilder phases = new StringBuilder();
  private final long startNanos;
  private long lastNanos;

  StartupTimeline(Ticker ticker) {
    this.ticker = ticker;
    this.startNanos = ticker.nanos();
    this.lastNanos = startNanos;
  }

  /** Ends the phase named {@code phase}, which began at the previous mark (or at construction). */
  void mark(String phase) {
    long now = ticker.nanos();
    if (phases.length() > 0) {
      phases.append(", ");
    }
    phases.append(phase).append(' ').append((now - lastNanos) / 1_000_000).append(" ms");
    lastNanos = now;
  }

  /** Logs every phase and the total at debug level on {@code log}. */
  void log(Logger log) {
    if (log.isDebugEnabled()) {
      log.debug("start-up phases: {}; total {} ms", phases, (lastNanos - startNanos) / 1_000_000);
    }
  }

  /** The phases marked so far, as logged. */
  @Override
  public String toString() {
    return phases.toString();
  }
}
