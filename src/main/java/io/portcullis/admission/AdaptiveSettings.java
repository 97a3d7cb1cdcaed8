package io.portcullis.admission;

/**
 * Bounds and tuning of an adaptive limit. Only the bounds are configurable
 * ({@code upstreams.NAME.concurrency.initial/min/max}); {@link #of(int, int, int)} supplies the
 * tuning defaults, which the README's description of the algorithm names.
 *
 * @param initial the limit before anything is learned (config default 20), within [min, max]
 * @param min the lowest limit (config default 2), {@code >= 1}
 * @param max the highest limit (config default 1000), {@code >= min}
 * @param windowNanos the shortest sampling window ({@link #DEFAULT_WINDOW_NANOS}); a window also
 *     lasts at least {@link #WINDOW_RTTS} no-load latencies and holds at least {@code
 *     windowSamples} completions
 * @param windowSamples completions a window needs before it is judged ({@link
 *     #DEFAULT_WINDOW_SAMPLES}), {@code >= 1}
 * @param toleranceNanos queueing delay below which the upstream counts as unloaded ({@link
 *     #DEFAULT_TOLERANCE_NANOS}): it absorbs the gateway's own scheduling noise, which would
 *     otherwise look like queueing in front of a sub-millisecond upstream
 * @param dropBackoff factor applied to the limit after a window with a timeout or reset ({@link
 *     #DEFAULT_DROP_BACKOFF}), in (0, 1)
 * @param noLoadHorizonNanos how long a no-load latency is trusted before it is measured again
 *     ({@link #DEFAULT_NO_LOAD_HORIZON_NANOS}), {@code >= windowNanos}
 */
public record AdaptiveSettings(int initial, int min, int max, long windowNanos, int windowSamples,
                               long toleranceNanos, double dropBackoff, long noLoadHorizonNanos) {

  /** Default shortest window: 100 ms. */
  public static final long DEFAULT_WINDOW_NANOS = 100_000_000L;
  /** Default completions per window: 10. */
  public static final int DEFAULT_WINDOW_SAMPLES = 10;
  /** Default queueing tolerance: 5 ms. */
  public static final long DEFAULT_TOLERANCE_NANOS = 5_000_000L;
  /** Default multiplicative decrease after a timeout or reset: 0.9. */
  public static final double DEFAULT_DROP_BACKOFF = 0.9;
  /** Default lifetime of a no-load latency: 30 s. */
  public static final long DEFAULT_NO_LOAD_HORIZON_NANOS = 30_000_000_000L;
  /** A window lasts at least this many no-load latencies. */
  public static final int WINDOW_RTTS = 2;

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the first value out of range
   */
  public AdaptiveSettings {
    if (min < 1) {
      throw new IllegalArgumentException("min: " + min + " (expected: >= 1)");
    }
    if (max < min) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= min " + min + ")");
    }
    if (initial < min || initial > max) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: within [" + min + ", " + max + "])");
    }
    if (windowNanos < 1) {
      throw new IllegalArgumentException("windowNanos: " + windowNanos + " (expected: >= 1)");
    }
    if (windowSamples < 1) {
      throw new IllegalArgumentException("windowSamples: " + windowSamples + " (expected: >= 1)");
    }
    if (toleranceNanos < 0) {
      throw new IllegalArgumentException("toleranceNanos: " + toleranceNanos + " (expected: >= 0)");
    }
    if (!(dropBackoff > 0 && dropBackoff < 1)) {
      throw new IllegalArgumentException("dropBackoff: " + dropBackoff + " (expected: > 0 and < 1)");
    }
    if (noLoadHorizonNanos < windowNanos) {
      throw new IllegalArgumentException("noLoadHorizonNanos: " + noLoadHorizonNanos
          + " (expected: >= windowNanos " + windowNanos + ")");
    }
  }

  /**
   * The configurable bounds with the default tuning.
   *
   * @param initial the starting limit
   * @param min the lowest limit
   * @param max the highest limit
   * @return the settings
   */
  public static AdaptiveSettings of(int initial, int min, int max) {
    return new AdaptiveSettings(initial, min, max, DEFAULT_WINDOW_NANOS, DEFAULT_WINDOW_SAMPLES,
        DEFAULT_TOLERANCE_NANOS, DEFAULT_DROP_BACKOFF, DEFAULT_NO_LOAD_HORIZON_NANOS);
  }
}
