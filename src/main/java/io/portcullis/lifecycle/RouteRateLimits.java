package io.portcullis.lifecycle;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RateLimitConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.RateLimiterRegistry;

/**
 * Makes each route's {@link RouteRateLimit} while a snapshot is compiled. The limiters come from
 * one {@link RateLimiterRegistry} that outlives every snapshot, so a route whose name and
 * {@code rateLimit} are unchanged by a reload keeps its limiter and every client's bucket.
 */
final class RouteRateLimits {

  private final RateLimiterRegistry registry;
  private final GatewayMetrics metrics;

  RouteRateLimits(RateLimiterRegistry registry, GatewayMetrics metrics) {
    this.registry = registry;
    this.metrics = metrics;
  }

  /** The limit of {@code route}, or {@link RouteRateLimit#NONE}. Registers its refusal counter. */
  RouteRateLimit forRoute(RouteConfig route) {
    if (route.rateLimit().isEmpty()) {
      return RouteRateLimit.NONE;
    }
    RateLimitConfig limit = route.rateLimit().get();
    return new RouteRateLimit(route.name(), registry.limiter(route.name(), limit),
        limit.keyHeader().orElse(null), metrics.rateLimited(route.name()));
  }

  /** Forgets the limiters that {@code config} no longer uses. */
  void retainOnly(GatewayConfig config) {
    registry.retain(config.routes());
  }
}
