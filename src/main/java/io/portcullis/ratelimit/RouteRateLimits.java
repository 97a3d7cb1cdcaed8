package io.portcullis.ratelimit;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RateLimitConfig;
import io.portcullis.config.RateLimitScope;
import io.portcullis.config.RouteConfig;
import io.portcullis.observe.GatewayMetrics;

/**
 * Makes each route's {@link RouteRateLimit} while a snapshot is compiled. The limiters come from
 * one {@link RateLimiterRegistry} that outlives every snapshot, so a route whose name and
 * {@code rateLimit} are unchanged by a reload keeps its limiter and every client's bucket. A route
 * with {@code scope: "cluster"} also gets its {@link ClusterLimit}, over that same limiter (its
 * fallback).
 */
public final class RouteRateLimits {

  private final RateLimiterRegistry registry;
  private final GatewayMetrics metrics;

  /** Limits whose limiters come from {@code registry}; refusals are counted in {@code metrics}. */
  public RouteRateLimits(RateLimiterRegistry registry, GatewayMetrics metrics) {
    this.registry = registry;
    this.metrics = metrics;
  }

  /** The limit of {@code route}, or {@link RouteRateLimit#NONE}. Registers its refusal counter. */
  public RouteRateLimit forRoute(RouteConfig route) {
    if (route.rateLimit().isEmpty()) {
      return RouteRateLimit.NONE;
    }
    RateLimitConfig limit = route.rateLimit().get();
    RateLimiter local = registry.limiter(route.name(), limit);
    ClusterLimit cluster = limit.scope() == RateLimitScope.CLUSTER ? new ClusterLimit(route.name(), local) : null;
    return new RouteRateLimit(route.name(), local, limit.keyHeader().orElse(null), metrics.rateLimited(route.name()),
        cluster);
  }

  /** Forgets the limiters that {@code config} no longer uses. */
  public void retainOnly(GatewayConfig config) {
    registry.retain(config.routes());
  }
}
