/**
 * Admission control: how many requests may be in flight to each upstream at once
 * ({@code upstreams.NAME.concurrency}). A {@link io.portcullis.admission.ConcurrencyLimiter} per
 * upstream, shared by every event loop, hands out {@link io.portcullis.admission.Permit}s without
 * locks, waits or allocation; a full limiter answers at once, and the caller sheds the request
 * (503 {@code overloaded}). In mode {@code adaptive} the limit is learned from the upstream's
 * latency by {@link io.portcullis.admission.AdaptiveLimitRule} (a windowed TCP-Vegas rule whose
 * equations are in that class and in {@code docs/overload.md}); the rule is a pure function of
 * values ({@link io.portcullis.admission.LimitState}, {@link io.portcullis.admission.WindowSummary}),
 * and time comes from the caller's ticker readings, so tests drive it exactly.
 *
 * <p>The request path applies it in one place, {@code io.portcullis.pipeline.ConcurrencyStage}
 * (README "Overload: concurrency limits"); each upstream's limiter is held by its
 * {@code io.portcullis.upstream.Upstream}, shared by every event loop and kept across reloads.
 *
 * <p>Netflix's {@code concurrency-limits-core} (0.5.2) was read and not used: its
 * {@code AbstractLimit.onSample} is {@code synchronized} (one monitor taken on every completion by
 * every event loop), every admission allocates ({@code Optional} and two listener objects; the
 * clock is a {@code Supplier<Long>}, so each reading boxes), {@code VegasLimit} draws from
 * {@code ThreadLocalRandom}, and its listener both returns the slot and takes the latency sample at
 * the same moment, where a proxy wants the sample at the response head and the slot back at the
 * end of the body. Its algorithms, run in the overload model of the tests, also shed most traffic
 * to a healthy sub-millisecond upstream once the gateway's own scheduling adds a few milliseconds.
 * {@code docs/overload.md} has the figures.
 */
package io.portcullis.admission;
