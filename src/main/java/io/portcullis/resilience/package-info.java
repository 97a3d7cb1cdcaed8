/**
 * Resilience primitives of the gateway: the per-request {@link io.portcullis.resilience.Deadline},
 * the request budget ({@link io.portcullis.resilience.DeadlineBudget},
 * {@link io.portcullis.resilience.GrpcTimeout}) and the project's own jittered exponential
 * backoff retry operator ({@link io.portcullis.resilience.RetryOperator}) with its process-wide
 * {@link io.portcullis.resilience.RetryBudget} (README "How a request flows") and its hedging
 * ({@link io.portcullis.resilience.HedgePolicy}; README "Hedged requests"), the status sets a
 * retry policy and a breaker test on every attempt ({@link io.portcullis.resilience.StatusSet}), and the per-route token buckets
 * of rate limiting ({@link io.portcullis.ratelimit.RateLimiter}, kept across reloads by
 * {@link io.portcullis.ratelimit.RateLimiterRegistry}).
 *
 * <p>The package knows nothing about HTTP routing. Static policy ({@link
 * io.portcullis.resilience.RetryPolicy}, built once per route and upstream) is kept apart from
 * per-request state (owned by {@link io.portcullis.resilience.RetryOperator#execute}). Decisions
 * are pure functions returning values ({@link io.portcullis.resilience.RetryDecision}); timers,
 * counters and listener calls happen in one place. Time ({@link io.portcullis.resilience.Ticker}; the
 * gateway's is an {@link io.portcullis.resilience.EventClock}, read once per event on an event loop),
 * timers ({@link io.portcullis.resilience.Scheduler}) and randomness are injected so that tests
 * can assert exact jittered delays. Nothing here blocks.
 */
package io.portcullis.resilience;
