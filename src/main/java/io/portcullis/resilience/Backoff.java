package io.portcullis.resilience;

import io.portcullis.config.JitterMode;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Backoff delays after the AWS Architecture Blog, "Exponential Backoff And Jitter" (2015).
 *
 * <p>With {@code exp(retry) = min(maxDelayMs, baseDelayMs * 2^(retry-1))}, where {@code retry}
 * is 1 for the sleep before attempt 2:
 *
 * <ul>
 *   <li>{@code FULL}: {@code uniform[0, exp]};
 *   <li>{@code EQUAL}: {@code exp/2 + uniform[0, exp/2]}, i.e. uniform over {@code
 *       [floor(exp/2), exp]} (the upper half is {@code exp - floor(exp/2)} so that an odd
 *       {@code exp} stays reachable);
 *   <li>{@code DECORRELATED}: {@code min(maxDelayMs, uniform[baseDelayMs, previousDelayMs*3])},
 *       with {@code previousDelayMs = baseDelayMs} before the first retry;
 *   <li>{@code NONE}: {@code exp}.
 * </ul>
 *
 * <p>Bounds are inclusive. Each jittered mode draws exactly one {@code nextLong(origin, bound)}
 * from the generator, so a seeded generator gives a reproducible sequence.
 */
public final class Backoff {

  private Backoff() {}

  /**
   * Computes the sleep before the next attempt.
   *
   * @param mode the jitter mode
   * @param retry 1 for the sleep before attempt 2, 2 before attempt 3, and so on
   * @param baseDelayMs the base delay, {@code >= 0}
   * @param maxDelayMs the cap, {@code >= 0}
   * @param previousDelayMs the previous sleep ({@code baseDelayMs} before the first retry); used
   *     by {@code DECORRELATED} only
   * @param random the random source
   * @return the delay in milliseconds, within {@code [0, maxDelayMs]}
   */
  public static long delayMs(JitterMode mode, int retry, long baseDelayMs, long maxDelayMs,
      long previousDelayMs, RandomGenerator random) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(random, "random");
    if (retry < 1) {
      throw new IllegalArgumentException("retry: " + retry + " (expected: >= 1)");
    }
    if (baseDelayMs < 0 || maxDelayMs < 0) {
      throw new IllegalArgumentException("baseDelayMs: " + baseDelayMs + ", maxDelayMs: "
          + maxDelayMs + " (expected: >= 0)");
    }
    switch (mode) {
      case NONE:
        return exponential(retry, baseDelayMs, maxDelayMs);
      case FULL:
        return uniform(random, 0, exponential(retry, baseDelayMs, maxDelayMs));
      case EQUAL: {
        long exp = exponential(retry, baseDelayMs, maxDelayMs);
        long half = exp / 2;
        return half + uniform(random, 0, exp - half);
      }
      case DECORRELATED: {
        long upper = saturatedTimesThree(Math.max(0, previousDelayMs));
        return Math.min(maxDelayMs, uniform(random, baseDelayMs, Math.max(baseDelayMs, upper)));
      }
      default:
        throw new IllegalArgumentException("unknown jitter mode: " + mode);
    }
  }

  /**
   * Returns {@code min(maxDelayMs, baseDelayMs * 2^(retry-1))} without overflow.
   *
   * @param retry the retry number, {@code >= 1}
   * @param baseDelayMs the base delay, {@code >= 0}
   * @param maxDelayMs the cap, {@code >= 0}
   * @return the capped exponential delay
   */
  static long exponential(int retry, long baseDelayMs, long maxDelayMs) {
    if (baseDelayMs == 0) {
      return 0;
    }
    int shift = retry - 1;
    if (shift >= Long.SIZE - 1 || baseDelayMs > (Long.MAX_VALUE >> shift)) {
      return maxDelayMs;
    }
    return Math.min(maxDelayMs, baseDelayMs << shift);
  }

  /** Uniform over the closed range {@code [origin, bound]}, {@code origin <= bound}. */
  private static long uniform(RandomGenerator random, long origin, long bound) {
    // nextLong(origin, bound) excludes bound; the closed range needs bound + 1, unless that
    // overflows, where the missing single value is immaterial.
    if (bound < Long.MAX_VALUE) {
      return random.nextLong(origin, bound + 1);
    }
    return origin == bound ? origin : random.nextLong(origin, bound);
  }

  private static long saturatedTimesThree(long value) {
    return value > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : value * 3;
  }
}
