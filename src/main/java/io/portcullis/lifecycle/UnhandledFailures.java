package io.portcullis.lifecycle;

import io.portcullis.ratelimit.RedisRateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a handler on any of the gateway's contexts threw and nothing caught (Vert.x's exception
 * handler for every context that has none of its own).
 *
 * <p>The Redis client throws out of its reply parser when Redis sends bytes that are not RESP
 * (README "Cluster-wide rate limits"). That is bad input, not a fault of the gateway: the store
 * gets no answer, decides locally within {@code redis.timeoutMs}, drops the connection once it is
 * stale, and its {@code StoreHealth} warns once for the outage and counts every fallback in
 * {@code portcullis_rate_limit_store_errors_total}. So such a failure is logged at debug, one
 * line, instead of a stack trace per reply. Anything else is logged with its stack trace, as
 * Vert.x would.
 */
public final class UnhandledFailures {

  private static final Logger LOG = LoggerFactory.getLogger(UnhandledFailures.class);

  private UnhandledFailures() {
  }

  /** Reports {@code failure}. */
  public static void report(Throwable failure) {
    if (RedisRateStore.fromRedisClient(failure)) {
      LOG.debug("Redis client could not read a reply: {}", failure.toString());
      return;
    }
    LOG.error("Unhandled exception", failure);
  }
}
