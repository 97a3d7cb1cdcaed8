package io.portcullis.pipeline;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RouteRateLimit;

/**
 * What a matched route dispatches to, with its effective timeout and rate limit. Built once per
 * configuration snapshot; the route stage puts the matched one on the {@link Exchange}.
 */
public sealed interface RouteTarget permits RouteTarget.Proxy, RouteTarget.Aggregate {

  /** The route's timeout (route {@code timeoutMs} or {@code deadline.defaultMs}). */
  long timeoutMs();

  /** The route's rate limit ({@link RouteRateLimit#NONE} without one). */
  RouteRateLimit rateLimit();

  /**
   * The upstream the route sends to (an aggregate's upstreams, comma-separated), for errors and
   * the access log; null for a route whose calls are not planned.
   */
  String upstreamNames();

  /** A proxy route. */
  record Proxy(ProxyRoute route, long timeoutMs, RouteRateLimit rateLimit) implements RouteTarget {
    @Override
    public String upstreamNames() {
      return route.plan() == null ? null : route.plan().upstreamName();
    }
  }

  /** An aggregate (fan-out) route. */
  record Aggregate(AggregateRoute route, long timeoutMs, RouteRateLimit rateLimit) implements RouteTarget {
    @Override
    public String upstreamNames() {
      return route.upstreamNames();
    }
  }
}
