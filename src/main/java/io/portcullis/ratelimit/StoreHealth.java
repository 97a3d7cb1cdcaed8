package io.portcullis.ratelimit;

import io.portcullis.resilience.Ticker;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the cluster rate-limit store answers, shared by every event loop's
 * {@link RedisRateStore}: counts each decision made locally instead
 * ({@code portcullis_rate_limit_store_errors_total}) and logs one warning when an outage starts
 * and one line when it ends, however many decisions fall back in between.
 *
 * <p>An outage starts with the first fallback while the store is up. It ends with an answer from
 * Redis once no fallback has happened for {@link #QUIET_NANOS}: so a Redis that answers some calls
 * and times out others, or an event loop still reconnecting while another one already gets
 * answers, is one outage, not a warning per flap. Answers that all came within that second of a
 * fallback, followed by a quiet second, ended it too: the next fallback says so and warns anew. Lock-free; time from the injected
 * {@link Ticker}.
 */
public final class StoreHealth {

  /** How long without a fallback an answer needs before the outage is over: one second. */
  public static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(StoreHealth.class);

  private final Ticker ticker;
  private final String endpoint;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong downSinceNanos = new AtomicLong();
  private final AtomicLong lastFallbackNanos = new AtomicLong();
  /** When Redis last answered during an outage. */
  private final AtomicLong lastAnswerNanos = new AtomicLong();
  private final AtomicLong fallbacksInOutage = new AtomicLong();
  private final AtomicReference<RateStoreException> lastFailure = new AtomicReference<>();
  private final LongAdder fallbacks = new LongAdder();
  private final Map<RateStoreException.Reason, LongAdder> byReason = new EnumMap<>(RateStoreException.Reason.class);
  private final LongAdder outages = new LongAdder();

  /**
   * @param endpoint the store's address as configured (its password is never logged)
   * @param ticker the time source
   */
  public StoreHealth(String endpoint, Ticker ticker) {
    this.endpoint = redact(Objects.requireNonNull(endpoint, "endpoint"));
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    for (RateStoreException.Reason reason : RateStoreException.Reason.values()) {
      byReason.put(reason, new LongAdder());
    }
  }

  /** A decision was made locally because of {@code failure}. */
  public void fellBack(RateStoreException failure) {
    long now = ticker.nanos();
    fallbacks.increment();
    byReason.get(failure.reason()).increment();
    long previous = lastFallbackNanos.getAndSet(now);
    lastFailure.set(failure);
    if (down.get() && now - previous >= QUIET_NANOS && lastAnswerNanos.get() - previous > 0) {
      // Redis answered after the last fallback and no fallback came for a second: that outage
      // ended (no answer since has said so), and this is a new one.
      end(previous);
    }
    fallbacksInOutage.incrementAndGet();
    if (!down.get() && down.compareAndSet(false, true)) {
      downSinceNanos.set(now);
      outages.increment();
      LOG.warn("rate limits: Redis at {} did not decide ({}: {}{}); deciding with each gateway's local buckets "
          + "until it answers again", endpoint, failure.reason(), failure.getMessage(),
          failure.getCause() == null ? "" : " (" + failure.getCause() + ")");
    }
  }

  /** Redis decided a request in time. */
  public void answered() {
    if (!down.get()) {
      return;
    }
    long now = ticker.nanos();
    lastAnswerNanos.set(now);
    if (now - lastFallbackNanos.get() < QUIET_NANOS) {
      return;
    }
    end(now);
  }

  /** Ends the outage, if still on, as seen at {@code nowNanos}. */
  private void end(long nowNanos) {
    if (!down.compareAndSet(true, false)) {
      return;
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(nowNanos - downSinceNanos.get());
    long local = fallbacksInOutage.getAndSet(0);
    LOG.info("rate limits: Redis at {} decides again after {} ms; {} decision(s) were made locally meanwhile",
        endpoint, tookMs, local);
  }

  /** Whether an outage is going on. */
  public boolean down() {
    return down.get();
  }

  /** Decisions made locally because the store did not decide, since start. */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /** Decisions made locally for {@code reason}, since start. */
  public long fallbacks(RateStoreException.Reason reason) {
    return byReason.get(reason).sum();
  }

  /** Outages since start (each logged once). */
  public long outages() {
    return outages.sum();
  }

  /** The last failure that made a decision fall back, or null. */
  public RateStoreException lastFailure() {
    return lastFailure.get();
  }

  /** The endpoint as logged: {@code redis://:secret@host} becomes {@code redis://***@host}. */
  static String redact(String endpoint) {
    int scheme = endpoint.indexOf("://");
    int at = endpoint.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return endpoint;
    }
    return endpoint.substring(0, scheme + 3) + "***" + endpoint.substring(at);
  }
}
