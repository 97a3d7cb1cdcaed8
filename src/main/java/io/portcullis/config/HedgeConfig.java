package io.portcullis.config;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Hedged requests of a proxy route (JSON object {@code routes[i].hedge}): when no response head
 * has arrived some delay after the last attempt started, one more attempt starts, up to
 * {@code maxHedges} extra attempts in flight. Exactly one of {@code delayMs} and
 * {@code percentile} is given.
 *
 * @param delayMs a fixed delay, >= 1 and below the route's timeout; empty when {@code percentile}
 *     is given
 * @param percentile the delay is this percentile of the upstream's recent latency, > 0 and < 100;
 *     empty when {@code delayMs} is given
 * @param maxHedges the most extra attempts in flight, 1..9 (with the first attempt, at most the
 *     ten attempts {@code retry.maxAttempts} allows); default {@code 1}
 */
public record HedgeConfig(OptionalLong delayMs, OptionalDouble percentile, int maxHedges) {

  /** Default {@link #maxHedges()}. */
  public static final int DEFAULT_MAX_HEDGES = 1;

  /** Checks that exactly one of {@code delayMs} and {@code percentile} is given. */
  public HedgeConfig {
    if (delayMs.isPresent() == percentile.isPresent()) {
      throw new IllegalArgumentException("exactly one of delayMs and percentile, got " + delayMs + " and "
          + percentile);
    }
  }

  /** A hedge after a fixed delay. */
  public static HedgeConfig afterDelay(long delayMs, int maxHedges) {
    return new HedgeConfig(OptionalLong.of(delayMs), OptionalDouble.empty(), maxHedges);
  }

  /** A hedge after the upstream's {@code percentile} latency. */
  public static HedgeConfig atPercentile(double percentile, int maxHedges) {
    return new HedgeConfig(OptionalLong.empty(), OptionalDouble.of(percentile), maxHedges);
  }
}
