package io.portcullis.ratelimit;

import io.portcullis.resilience.Ticker;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets by key: each key (a client address, a header value) gets its own
 * {@link TokenBucket} of {@code burst} tokens refilled at {@code requestsPerSecond}. Lock-free
 * and shared by every event loop of the process; time comes from the injected {@link Ticker}.
 *
 * <p>Memory is bounded whatever the keys:
 * <ul>
 *   <li>at most {@code maxKeys} buckets ({@link #DEFAULT_MAX_KEYS} by default). A key that arrives
 *       while every slot is taken shares one overflow bucket with every other such key, so a flood
 *       of distinct addresses buys no more than one bucket's rate;</li>
 *   <li>full buckets are evicted: a bucket idle long enough to be full again is equivalent to a
 *       new one. The sweep runs when a new key arrives, at most once per
 *       {@link #SWEEP_INTERVAL_NANOS}, so its cost (one pass over the buckets) never lands on
 *       every request;</li>
 *   <li>keys longer than {@link #MAX_KEY_CHARS} characters are stored shortened (a prefix and a
 *       64-bit hash of the whole key).</li>
 * </ul>
 * An evicted bucket is retired before it is removed, so a request racing with the sweep never
 * takes a token from a bucket that is no longer counted; it starts on a fresh one instead.
 */
public final class RateLimiter {

  /**
   * Default bound on the number of keys (buckets) of one limiter: about 8 MB of heap with client
   * addresses as keys, about 14 MB with keys of {@link #MAX_KEY_CHARS} characters.
   */
  public static final int DEFAULT_MAX_KEYS = 50_000;
  /** Longest key stored as given; longer ones are shortened to this length with a hash. */
  public static final int MAX_KEY_CHARS = 128;
  /** Least time between two sweeps for full buckets. */
  public static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  private static final double NANOS_PER_SECOND = 1e9;

  private final double requestsPerSecond;
  private final long burst;
  private final long intervalNanos;
  private final int maxKeys;
  private final Ticker ticker;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final AtomicInteger slots = new AtomicInteger();
  private final TokenBucket overflow;
  private final AtomicLong lastSweep;

  /** A limiter with the default key bound. */
  public RateLimiter(double requestsPerSecond, long burst, Ticker ticker) {
    this(requestsPerSecond, burst, DEFAULT_MAX_KEYS, ticker);
  }

  /**
   * A limiter.
   *
   * @param requestsPerSecond tokens added per second per key, finite and {@code > 0}; fractions
   *     work ({@code 0.5} is one token every two seconds)
   * @param burst tokens a key's bucket holds, {@code >= 1}
   * @param maxKeys the bound on buckets, {@code >= 1}
   * @param ticker the time source
   */
  public RateLimiter(double requestsPerSecond, long burst, int maxKeys, Ticker ticker) {
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException("requestsPerSecond: " + requestsPerSecond + " (expected: finite, > 0)");
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
    }
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.intervalNanos = intervalNanos(requestsPerSecond, burst);
    this.maxKeys = maxKeys;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    long now = ticker.nanos();
    this.overflow = new TokenBucket(intervalNanos, burst, now);
    this.lastSweep = new AtomicLong(now);
  }

  /**
   * Nanoseconds per token: {@code 1e9 / requestsPerSecond} rounded up (a rate is never exceeded),
   * kept within the range where {@code burst * interval} fits in a {@code long}.
   */
  static long intervalNanos(double requestsPerSecond, long burst) {
    // The small subtraction keeps exact quotients such as 1e9 / 0.1 from rounding up a nanosecond.
    double exact = Math.ceil(NANOS_PER_SECOND / requestsPerSecond - 1e-6);
    long max = Long.MAX_VALUE / 2 / burst;
    return (long) Math.max(1, Math.min(max, exact));
  }

  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @return {@code 0} when the request is admitted, else the nanoseconds until the bucket has a
   *     token again ({@code >= 1})
   */
  public long acquire(String key) {
    String k = bounded(Objects.requireNonNull(key, "key"));
    long now = ticker.nanos();
    while (true) {
      TokenBucket bucket = buckets.get(k);
      if (bucket == null) {
        bucket = insert(k, now);
      }
      long result = bucket.tryAcquire(now);
      if (result != TokenBucket.RETIRED) {
        return result;
      }
      // Evicted by a concurrent sweep: drop its mapping (whoever removes it frees the slot).
      if (buckets.remove(k, bucket)) {
        slots.decrementAndGet();
      }
    }
  }

  private TokenBucket insert(String key, long now) {
    sweepIfDue(now);
    if (slots.incrementAndGet() > maxKeys) {
      slots.decrementAndGet();
      return overflow;
    }
    TokenBucket fresh = new TokenBucket(intervalNanos, burst, now);
    TokenBucket prior = buckets.putIfAbsent(key, fresh);
    if (prior != null) {
      slots.decrementAndGet();
      return prior;
    }
    return fresh;
  }

  private void sweepIfDue(long now) {
    long last = lastSweep.get();
    if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    for (Map.Entry<String, TokenBucket> entry : buckets.entrySet()) {
      TokenBucket bucket = entry.getValue();
      if (bucket.retireIfFull(now) && buckets.remove(entry.getKey(), bucket)) {
        slots.decrementAndGet();
      }
    }
  }

  /** Keys with a bucket of their own now (at most {@code maxKeys}). */
  public int keys() {
    return buckets.size();
  }

  /** Tokens added per second per key. */
  public double requestsPerSecond() {
    return requestsPerSecond;
  }

  /** The size of each key's bucket. */
  public long burst() {
    return burst;
  }

  /** The bound on the number of keys. */
  public int maxKeys() {
    return maxKeys;
  }

  /**
   * A wait as a {@code Retry-After} value: whole seconds rounded up, at least 1.
   *
   * @param waitNanos the wait {@link #acquire} answered
   */
  public static long retryAfterSeconds(long waitNanos) {
    long seconds = waitNanos / 1_000_000_000L + (waitNanos % 1_000_000_000L > 0 ? 1 : 0);
    return Math.max(1, seconds);
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
}
