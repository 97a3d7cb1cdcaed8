package io.portcullis.upstream;

/**
 * The failures of one breaker within its rolling window, on an injected clock: the times of the
 * last {@code maxFailures} failures, oldest first. The window holds {@code maxFailures} failures
 * exactly when the oldest of them is no older than the window. Not thread-safe: its breaker
 * guards it.
 */
final class FailureWindow {

  private final long[] times;
  private final long windowNanos;
  private int start;
  private int size;

  FailureWindow(int maxFailures, long windowMs) {
    this.times = new long[Math.max(1, maxFailures)];
    this.windowNanos = windowMs * 1_000_000L;
  }

  /** Records a failure at {@code nowNanos}; true when the window now holds {@code maxFailures}. */
  boolean record(long nowNanos) {
    if (size == times.length) {
      times[start] = nowNanos;
      start = (start + 1) % times.length;
    } else {
      times[(start + size) % times.length] = nowNanos;
      size++;
    }
    return size == times.length && nowNanos - times[start] <= windowNanos;
  }

  /** Failures within the window that ends at {@code nowNanos} (at most {@code maxFailures}). */
  int count(long nowNanos) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (nowNanos - times[(start + i) % times.length] <= windowNanos) {
        n++;
      }
    }
    return n;
  }

  /** Forgets every failure (the breaker closed). */
  void clear() {
    start = 0;
    size = 0;
  }
}
