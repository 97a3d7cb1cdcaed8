/**
 * Per-route rate limiting (README "Configuration reference", {@code routes[].rateLimit}, and
 * "Errors", 429 {@code rate_limited}): the token buckets ({@link io.portcullis.ratelimit.TokenBucket}),
 * one {@link io.portcullis.ratelimit.RateLimiter} per limited route holding a bucket per client key,
 * the {@link io.portcullis.ratelimit.RateLimiterRegistry} that keeps limiters across reloads, and
 * the HTTP side ({@link io.portcullis.ratelimit.RouteRateLimit}: which key a request has, and the
 * 429 refusal with {@code Retry-After}). Time is an injected ticker.
 *
 * <p>Limits shared by every gateway of a cluster ({@code scope: "cluster"}; README "Running behind
 * a load balancer"): one bucket per route and key held in Redis and decided there atomically by one
 * Lua script ({@link io.portcullis.ratelimit.ClusterScript}) on Redis's own clock, the same GCRA as
 * the local buckets, so the two answer alike. {@link io.portcullis.ratelimit.RedisRateStore} (one
 * per event loop, one pipelined Redis connection each) never lets Redis turn into a 5xx or a wait:
 * a decision Redis does not make within {@code redis.timeoutMs} (down, stalled, answering errors
 * or nonsense, too far behind) is made by the route's local bucket instead.
 * {@link io.portcullis.ratelimit.StoreHealth}, shared by the loops, counts those fallbacks and logs
 * one warning per outage. The request path asks the store through its admission stage, which
 * suspends the request until the answer; the key of {@code "ip"} is the client address the edge
 * works out ({@code server.proxyProtocol}, {@code server.trustedProxies}).
 */
package io.portcullis.ratelimit;
