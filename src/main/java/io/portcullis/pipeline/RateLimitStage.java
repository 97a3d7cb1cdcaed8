package io.portcullis.pipeline;

import io.portcullis.http.GatewayException;
import io.portcullis.ratelimit.ClusterLimit;
import io.portcullis.ratelimit.RedisRateStore;
import io.portcullis.ratelimit.RouteRateLimit;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;

/**
 * Admission by the matched route's {@code rateLimit} (README "Errors", 429 {@code rate_limited}):
 * an empty bucket refuses the request before anything is sent upstream. The key is the header's
 * value or the client address ({@link Exchange#clientAddress()}).
 *
 * <p>With {@code scope: "instance"} the route's local bucket decides at once, allocating nothing.
 * With {@code scope: "cluster"} this event loop's {@link RedisRateStore} asks Redis and the stage
 * suspends the request until the answer, which comes within {@code redis.timeoutMs}: Redis's
 * decision, or the local bucket's when Redis could not decide in time (the store never fails).
 * Further admission stages (a per-upstream concurrency limit) follow this one.
 */
public final class RateLimitStage implements Stage {

  private final RedisRateStore store;

  /** A stage for process-local limits only (no {@code redis}): cluster limits decide locally. */
  public RateLimitStage() {
    this(null);
  }

  /**
   * A stage whose cluster limits ask {@code store}.
   *
   * @param store this event loop's store, or null when the configuration has no {@code redis}
   */
  public RateLimitStage(RedisRateStore store) {
    this.store = store;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    RouteRateLimit limit = exchange.target().rateLimit();
    if (!limit.limits()) {
      return Verdict.CONTINUE;
    }
    String key = limit.key(exchange.request(), limit.keyedByClientAddress() ? exchange.clientAddress() : null);
    ClusterLimit cluster = limit.cluster();
    if (cluster == null || store == null) {
      GatewayException limited = limit.refusal(key);
      return limited == null ? Verdict.CONTINUE : exchange.refuse(limited);
    }
    Future<Long> decision = store.acquire(cluster, key);
    if (decision.isComplete()) {
      // Decided at once (by the local bucket): go on without suspending.
      if (decision.failed()) {
        // The store never fails; if it did, that is a fault of the gateway's own (500, logged).
        throw new IllegalStateException("the cluster rate-limit store failed", decision.cause());
      }
      GatewayException limited = limit.refusalAfter(decision.result());
      return limited == null ? Verdict.CONTINUE : exchange.refuse(limited);
    }
    decision.onComplete(ar -> decided(exchange, limit, ar));
    return Verdict.SUSPENDED;
  }

  /** Redis's answer (or the fallback's), on the request's event loop. */
  private static void decided(Exchange exchange, RouteRateLimit limit, AsyncResult<Long> decision) {
    if (exchange.finished()) {
      return; // the client left meanwhile
    }
    // The store's future never fails; a failure would be a fault of the gateway's own (500).
    if (decision.failed()) {
      exchange.fail(decision.cause());
      return;
    }
    GatewayException limited = limit.refusalAfter(decision.result());
    if (limited == null) {
      exchange.resume();
    } else {
      exchange.fail(limited);
    }
  }
}
