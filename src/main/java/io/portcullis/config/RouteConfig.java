package io.portcullis.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One route (an entry of the JSON array {@code routes}). Routes match in the order given; the
 * first match wins. A route either proxies to one {@code upstream} or fans out to the
 * {@code aggregate} backends, never both.
 *
 * @param name unique, non-empty; used in logs, metrics and errors; required
 * @param match which requests the route takes; required
 * @param upstream the upstream a proxy route forwards to; empty for an aggregate route
 * @param aggregate the fan-out backends of an aggregate route, at least one; unmodifiable; empty
 *     for a proxy route
 * @param stripPrefix a whole-segment prefix removed from the path before forwarding (proxy routes
 *     only); empty (the default) strips nothing
 * @param timeoutMs the route's request budget, at least 1 (capped at {@code deadline.maxMs}); empty (the default)
 *     means {@code deadline.defaultMs}, see {@link GatewayConfig#timeoutFor(RouteConfig)}
 * @param retry changes to the retry policy of the upstreams used; default {@link RetryOverride#NONE}
 * @param circuitBreaker changes to their breakers; default {@link BreakerOverride#NONE}
 * @param websocket whether a WebSocket upgrade is proxied (proxy routes only); default
 *     {@code false}: the upgrade is not honoured and the request goes upstream as plain HTTP
 * @param rateLimit the route's token bucket; empty (the default) means no limit
 * @param hedge hedged requests (proxy routes without {@code websocket} only); empty (the default)
 *     means none
 */
public record RouteConfig(
    String name,
    MatchConfig match,
    Optional<String> upstream,
    List<AggregateBackendConfig> aggregate,
    Optional<String> stripPrefix,
    OptionalLong timeoutMs,
    RetryOverride retry,
    BreakerOverride circuitBreaker,
    boolean websocket,
    Optional<RateLimitConfig> rateLimit,
    Optional<HedgeConfig> hedge) {

  /** Checks for nulls and copies {@code aggregate} into an unmodifiable list. */
  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(upstream, "upstream");
    aggregate = List.copyOf(aggregate);
    Objects.requireNonNull(stripPrefix, "stripPrefix");
    Objects.requireNonNull(timeoutMs, "timeoutMs");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(hedge, "hedge");
  }

  /** A route without hedging. */
  public RouteConfig(String name, MatchConfig match, Optional<String> upstream, List<AggregateBackendConfig> aggregate,
      Optional<String> stripPrefix, OptionalLong timeoutMs, RetryOverride retry, BreakerOverride circuitBreaker,
      boolean websocket, Optional<RateLimitConfig> rateLimit) {
    this(name, match, upstream, aggregate, stripPrefix, timeoutMs, retry, circuitBreaker, websocket, rateLimit,
        Optional.empty());
  }

  /** A route without WebSocket and without a rate limit. */
  public RouteConfig(String name, MatchConfig match, Optional<String> upstream, List<AggregateBackendConfig> aggregate,
      Optional<String> stripPrefix, OptionalLong timeoutMs, RetryOverride retry, BreakerOverride circuitBreaker) {
    this(name, match, upstream, aggregate, stripPrefix, timeoutMs, retry, circuitBreaker, false, Optional.empty(),
        Optional.empty());
  }

  /** Whether this is a fan-out route (it has {@code aggregate} backends, not an {@code upstream}). */
  public boolean isAggregate() {
    return !aggregate.isEmpty();
  }
}
