/**
 * Rate limits shared by every gateway of a cluster (README "Rate limits", {@code scope:
 * "cluster"}): one bucket per route and key held in Redis and decided there atomically by one
 * Lua script ({@link io.portcullis.ratelimit.ClusterScript}) on Redis's own clock, the same
 * GCRA as the process-local buckets, so the two answer alike.
 *
 * <p>{@link io.portcullis.ratelimit.RedisRateStore} (one per event loop, one pipelined Redis
 * connection each) never lets Redis turn into a 5xx or a wait: a decision Redis does not make
 * within {@code redis.timeoutMs} (down, stalled, answering errors or nonsense, too far behind)
 * is made by the route's local bucket instead. {@link io.portcullis.ratelimit.StoreHealth},
 * shared by the loops, counts those fallbacks and logs one warning per outage.
 */
package io.portcullis.ratelimit;
