/**
 * Per-route rate limiting (README "Configuration reference", {@code routes[].rateLimit}, and
 * "Errors", 429 {@code rate_limited}): the token buckets ({@link io.portcullis.ratelimit.TokenBucket}),
 * one {@link io.portcullis.ratelimit.RateLimiter} per limited route holding a bucket per client key,
 * the {@link io.portcullis.ratelimit.RateLimiterRegistry} that keeps limiters across reloads, and
 * the HTTP side ({@link io.portcullis.ratelimit.RouteRateLimit}: which key a request has, and the
 * 429 refusal with {@code Retry-After}). Time is an injected ticker. A cluster-wide store (Redis)
 * belongs here as well; the request path asks it through its admission stage.
 */
package io.portcullis.ratelimit;
