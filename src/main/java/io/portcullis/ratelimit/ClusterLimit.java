package io.portcullis.ratelimit;

import io.portcullis.resilience.RateLimiter;
import java.util.Objects;

/**
 * One route's cluster-wide limit, made once per route when a configuration is compiled: where its
 * buckets live in Redis, the script's arguments, and the route's local limiter that decides when
 * Redis cannot (it starts full, and is the one {@code scope: "instance"} would use).
 *
 * <p>Bucket keys are {@code portcullis:rl:<length of the route name>:<route name>:<key>}: the
 * length keeps {@code "a:b"} + {@code "c"} apart from {@code "a"} + {@code "b:c"}. A key longer
 * than {@link #MAX_KEY_CHARS} characters is shortened to a prefix, {@code '#'} and a 64-bit FNV-1a
 * hash of the whole key, so a client cannot make Redis hold large keys. The limit's numbers are not
 * part of the key: gateways that briefly disagree about a route's limit (a rolling reload) still
 * share its buckets, each moving them by its own interval.
 */
public final class ClusterLimit {

  /** The prefix of every bucket key the gateway writes. */
  public static final String KEY_PREFIX = "portcullis:rl:";
  /** Longest key used as given in a bucket's name. */
  public static final int MAX_KEY_CHARS = 128;
  /** Largest {@code burst * interval} in microseconds: Lua numbers hold integers exactly up to 2^53. */
  static final long MAX_TOLERANCE_MICROS = 1L << 52;

  private static final double NANOS_PER_SECOND = 1e9;

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
    long micros = ceilDiv(intervalNanos(local.requestsPerSecond(), burst), 1_000);
    this.intervalMicros = Math.max(1, Math.min(micros, MAX_TOLERANCE_MICROS / burst));
    this.toleranceMicros = intervalMicros * burst;
  }

  /**
   * Nanoseconds per token as the local buckets count them ({@code RateLimiter}): {@code 1e9 /
   * requestsPerSecond} rounded up, so that a rate is never exceeded.
   */
  static long intervalNanos(double requestsPerSecond, long burst) {
    double exact = Math.ceil(NANOS_PER_SECOND / requestsPerSecond - 1e-6);
    long max = Long.MAX_VALUE / 2 / burst;
    return (long) Math.max(1, Math.min(max, exact));
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }

  /** The Redis key of {@code key}'s bucket. */
  public String bucket(String key) {
    return keyPrefix + bounded(key);
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

  /** {@code key}, or for a long key a prefix, {@code '#'} and a 64-bit FNV-1a hash of it in hex. */
  static String bounded(String key) {
    if (key.length() <= MAX_KEY_CHARS) {
      return key;
    }
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      hash = (hash ^ key.charAt(i)) * 0x100000001b3L;
    }
    String suffix = Long.toHexString(hash);
    return key.substring(0, MAX_KEY_CHARS - 1 - suffix.length()) + '#' + suffix;
  }

  @Override
  public String toString() {
    return "ClusterLimit[" + route + ", " + intervalMicros + " us per token, burst " + local.burst() + "]";
  }
}
