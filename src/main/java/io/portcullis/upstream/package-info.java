/**
 * Upstreams: their endpoints (shared, process-wide state: in-flight count, health), one
 * circuit breaker per endpoint (vertx-circuit-breaker behind our own small interface), the
 * balancers that pick an endpoint while skipping open and unhealthy ones, and active health
 * checks.
 */
package io.portcullis.upstream;
