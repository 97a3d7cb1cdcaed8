package io.portcullis.ratelimit;

import java.util.Objects;

/**
 * One route's cluster-wide limit, made once per route when a configuration is compiled: where its
 * buckets live in Redis, the script's arguments, and the route's local limiter that decides when
 * Redis cannot (it starts full, and is the one {@code scope: "instance"} would use).
 *
 * <p>Bucket keys are {@code portcullis:rl:<length of the route name>:<route name>:<key>}: the
 * length keeps {@code "a:b"} + {@code "c"} apart from {@code "a"} + {@code "b:c"}. A key longer
 * than {@link #MAX_KEY_CHARS} characters is shortened as the local buckets shorten it (a prefix,
 * {@code '#'} and a 64-bit hash of the whole key), so a client cannot make Redis hold large keys.
 * The limit's numbers are not part of the key: gateways that briefly disagree about a route's
 * limit (a rolling reload) still share its buckets, each moving them by its own interval.
 */
public final class ClusterLimit {

  /** The prefix of every bucket key the gateway writes. */
  public static final String KEY_PREFIX = "portcullis:rl:";
  /** Longest key used as given in a bucket's name: the local buckets' {@link RateLimiter#MAX_KEY_CHARS}. */
  public static final int MAX_KEY_CHARS = RateLimiter.MAX_KEY_CHARS;
  /** Largest {@code burst * interval} in microseconds: Lua numbers hold integers exactly up to 2^53. */
  static final long MAX_TOLERANCE_MICROS = 1L << 52;

  private final String route;
  private final String keyPrefix;
  private final RateLimiter local;
  private final long intervalMicros;
  private final long toleranceMicros;

  /**
   * The cluster limit of {@code route}, with the rate and burst of {@code local}.
   *
   * @param route the route's name
   * @param local the route's process-local limiter, for the fallback
   */
  public ClusterLimit(String route, RateLimiter local) {
    this.route = Objects.requireNonNull(route, "route");
    this.local = Objects.requireNonNull(local, "local");
    this.keyPrefix = KEY_PREFIX + route.length() + ":" + route + ":";
    long burst = local.burst();
    long micros = ceilDiv(RateLimiter.intervalNanos(local.requestsPerSecond(), burst), 1_000);
    this.intervalMicros = Math.max(1, Math.min(micros, MAX_TOLERANCE_MICROS / burst));
    this.toleranceMicros = intervalMicros * burst;
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }

  /** The Redis key of {@code key}'s bucket. */
  public String bucket(String key) {
    return keyPrefix + RateLimiter.bounded(key);
  }

  /** The route's name. */
  public String route() {
    return route;
  }

  /** The route's local limiter, which decides when Redis does not. */
  public RateLimiter local() {
    return local;
  }

  /** Microseconds per token (the script's first argument), rounded up from the local interval. */
  public long intervalMicros() {
    return intervalMicros;
  }

  /** {@code burst * intervalMicros()} (the script's second argument). */
  public long toleranceMicros() {
    return toleranceMicros;
  }

  @Override
  public String toString() {
    return "ClusterLimit[" + route + ", " + intervalMicros + " us per token, burst " + local.burst() + "]";
  }
}
