package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The policy that applies when one route calls one upstream, after defaults and overrides (README
 * "Configuration reference": a route's {@code retry} and {@code circuitBreaker} fields override its
 * upstream's one by one; a route without {@code timeoutMs} has {@code deadline.defaultMs}). Plain
 * data, made once per configuration snapshot: the gateway builds its call plans from it and
 * {@code /admin/routes} shows it (rendered by {@link ConfigWriter}), so what runs and what is shown
 * cannot differ. New per-route-and-upstream policies (hedging, concurrency) join as components.
 *
 * @param route the route's name
 * @param upstream the upstream's name
 * @param timeoutMs the route's timeout
 * @param retry the retry policy, every field filled in
 * @param circuitBreaker the breaker settings, every field filled in
 * @param rateLimit the route's rate limit, if it has one
 * @param hedge the route's hedging, if it hedges (proxy routes only; never for an aggregate backend)
 */
public record EffectivePolicy(String route, String upstream, long timeoutMs, RetryConfig retry,
                              BreakerConfig circuitBreaker, Optional<RateLimitConfig> rateLimit,
                              Optional<HedgeConfig> hedge) {

  /** Checks that no component is missing. */
  public EffectivePolicy {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(hedge, "hedge");
  }

  /** The policy of {@code route} calling {@code upstream} under {@code config}. */
  public static EffectivePolicy of(GatewayConfig config, RouteConfig route, UpstreamConfig upstream) {
    return new EffectivePolicy(route.name(), upstream.name(), config.timeoutFor(route),
        route.retry().applyTo(upstream.retry()), route.circuitBreaker().applyTo(upstream.circuitBreaker()),
        route.rateLimit(), route.isAggregate() || route.websocket() ? Optional.empty() : route.hedge());
  }
}
