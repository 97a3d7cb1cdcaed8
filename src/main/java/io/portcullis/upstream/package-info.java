/**
 * Upstreams: their endpoints (shared, process-wide state: in-flight count, health), the
 * upstream's concurrency limiter ({@link io.portcullis.upstream.Upstream#limiter()}), one
 * circuit breaker per endpoint (vertx-circuit-breaker behind our own small interface), the
 * balancers that pick an endpoint while skipping open and unhealthy ones, the HTTP client options
 * every event loop uses to reach them ({@link io.portcullis.upstream.UpstreamClientOptions}: pool,
 * timeouts, TLS; {@link io.portcullis.upstream.JvmTrust}: the JVM's trust store, read off the
 * event loops), and active health checks: {@link io.portcullis.upstream.HealthChecker} probes
 * one upstream, {@link io.portcullis.upstream.HealthCheckVerticle} runs the checkers of every
 * upstream on one event loop. Both live here because a check's only output is the endpoint's
 * health, which only this package may set. The connections themselves are
 * {@code upstream.pool}'s: each event loop's client of an upstream and its keep-alive pools.
 */
package io.portcullis.upstream;
