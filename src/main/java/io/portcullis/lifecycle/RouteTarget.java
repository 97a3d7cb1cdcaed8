package io.portcullis.lifecycle;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.proxy.ProxyRoute;

/** What a matched route dispatches to, with its effective timeout. */
sealed interface RouteTarget permits RouteTarget.Proxy, RouteTarget.Aggregate {

  /** The route's timeout (route {@code timeoutMs} or {@code deadline.defaultMs}). */
  long timeoutMs();

  /** A proxy route. */
  record Proxy(ProxyRoute route, long timeoutMs) implements RouteTarget {
  }

  /** An aggregate (fan-out) route. */
  record Aggregate(AggregateRoute route, long timeoutMs) implements RouteTarget {
  }
}
