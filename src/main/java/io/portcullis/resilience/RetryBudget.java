package io.portcullis.resilience;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide retry budget (README "How a request flows"): over any 10 s window, {@code retries <= budgetRatio *
 * requests + budgetMinPerSecond * 10}. Past that, no retry.
 *
 * <p>The window is ten one-second buckets, indexed by the second modulo 10. Each bucket is
 * stamped with its second and holds its requests in a {@link LongAdder} (every request of every
 * event loop counts here, so the count is striped: event loops do not contend for one cache
 * line) and its retries in an {@link AtomicLong}. A bucket whose stamp is stale is replaced by a
 * fresh one with a single CAS. Lock-free and shared by all event loops.
 *
 * <p>{@link #tryAcquireRetry()} checks the bound and counts the retry in one CAS on the current
 * bucket's retries, so concurrent callers within one second never exceed the bound (a request
 * being counted at the same moment may be missed by the sum, which only makes the bound
 * stricter). Across a second boundary, a grant racing with the bucket change may be counted
 * against the older second; the excess is at most one retry per racing thread.
 */
public final class RetryBudget {

  /** Length of the window, in one-second buckets. */
  static final int WINDOW_SECONDS = 10;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  // Products such as 0.57 * 100 land a hair below the integer in binary floating point.
  private static final double EPSILON = 1e-9;

  private final double ratio;
  private final double minPerSecond;
  private final Ticker ticker;
  private final AtomicReferenceArray<Bucket> buckets = new AtomicReferenceArray<>(WINDOW_SECONDS);

  /**
   * Makes an empty budget.
   *
   * @param ratio retries allowed per request in the window ({@code budgetRatio}), {@code >= 0}
   * @param minPerSecond retries allowed per second regardless of traffic
   *     ({@code budgetMinPerSecond}), {@code >= 0}
   * @param ticker the time source
   */
  public RetryBudget(double ratio, double minPerSecond, Ticker ticker) {
    if (!(ratio >= 0) || Double.isInfinite(ratio)) {
      throw new IllegalArgumentException("ratio: " + ratio + " (expected: finite, >= 0)");
    }
    if (!(minPerSecond >= 0) || Double.isInfinite(minPerSecond)) {
      throw new IllegalArgumentException(
          "minPerSecond: " + minPerSecond + " (expected: finite, >= 0)");
    }
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    Bucket empty = new Bucket(Long.MIN_VALUE);
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      buckets.set(i, empty);
    }
  }

  /** Counts one client request that reaches this upstream; call once per request. */
  public void recordRequest() {
    bucketFor(currentSecond()).requests.increment();
  }

  /**
   * Takes one retry from the budget if the window allows it.
   *
   * @return {@code true} if the retry is within budget (and is now counted), else {@code false}
   */
  public boolean tryAcquireRetry() {
    while (true) {
      Bucket current = bucketFor(currentSecond());
      long own = current.retries.get();
      long requests = current.requests.sum();
      long retries = own;
      for (int age = 1; age < WINDOW_SECONDS; age++) {
        Bucket other = bucketAt(current.second - age);
        if (other != null) {
          requests += other.requests.sum();
          retries += other.retries.get();
        }
      }
      if (retries + 1 > ratio * requests + minPerSecond * WINDOW_SECONDS + EPSILON) {
        return false;
      }
      if (current.retries.compareAndSet(own, own + 1)) {
        return true;
      }
    }
  }

  /**
   * Returns the requests counted in the current window.
   *
   * @return the number of requests over the last 10 seconds
   */
  public long requestsInWindow() {
    long now = currentSecond();
    long sum = 0;
    for (int age = 0; age < WINDOW_SECONDS; age++) {
      Bucket bucket = bucketAt(now - age);
      sum += bucket == null ? 0 : bucket.requests.sum();
    }
    return sum;
  }

  /**
   * Returns the retries counted in the current window.
   *
   * @return the number of retries over the last 10 seconds
   */
  public long retriesInWindow() {
    long now = currentSecond();
    long sum = 0;
    for (int age = 0; age < WINDOW_SECONDS; age++) {
      Bucket bucket = bucketAt(now - age);
      sum += bucket == null ? 0 : bucket.retries.get();
    }
    return sum;
  }

  private long currentSecond() {
    return Math.floorDiv(ticker.nanos(), NANOS_PER_SECOND);
  }

  /** Returns the bucket of {@code second}, replacing a stale one; never an older bucket. */
  private Bucket bucketFor(long second) {
    int index = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    while (true) {
      Bucket bucket = buckets.get(index);
      if (bucket.second >= second) {
        // Equal: the live bucket. Newer: another thread read the ticker later; counting into
        // the newer second keeps the sum correct and can only make the window stricter.
        return bucket;
      }
      Bucket fresh = new Bucket(second);
      if (buckets.compareAndSet(index, bucket, fresh)) {
        return fresh;
      }
    }
  }

  /** Returns the bucket of {@code second}, or null if its place holds another second. */
  private Bucket bucketAt(long second) {
    Bucket bucket = buckets.get((int) Math.floorMod(second, (long) WINDOW_SECONDS));
    return bucket.second == second ? bucket : null;
  }

  /** One second of counters. */
  private static final class Bucket {
    final long second;
    final LongAdder requests = new LongAdder();
    final AtomicLong retries = new AtomicLong();

    Bucket(long second) {
      this.second = second;
    }
  }

  @Override
  public String toString() {
    return "RetryBudget[ratio=" + ratio + ", minPerSecond=" + minPerSecond
        + ", requestsInWindow=" + requestsInWindow() + ", retriesInWindow=" + retriesInWindow()
        + "]";
  }
}
