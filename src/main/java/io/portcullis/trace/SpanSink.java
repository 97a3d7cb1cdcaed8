package io.portcullis.trace;

import java.util.concurrent.CompletableFuture;

/**
 * Where finished spans go. {@link #NONE} when export is off: then spans are not even timed.
 * A sink must never block its caller (an event loop).
 */
public interface SpanSink {

  /** No export: nothing is recorded. */
  SpanSink NONE = new SpanSink() {
    @Override
    public boolean recording() {
      return false;
    }

    @Override
    public void accept(FinishedSpan span) {
    }

    @Override
    public CompletableFuture<Void> shutdown(long timeoutMs) {
      return CompletableFuture.completedFuture(null);
    }
  };

  /** Whether spans are recorded (timed and handed to {@link #accept}). */
  boolean recording();

  /** Queues one finished span for export; drops it when the queue is full. */
  void accept(FinishedSpan span);

  /** Exports what is queued and stops, waiting at most {@code timeoutMs}; never fails. */
  CompletableFuture<Void> shutdown(long timeoutMs);
}
