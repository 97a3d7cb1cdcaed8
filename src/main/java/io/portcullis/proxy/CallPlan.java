package io.portcullis.proxy;

import io.portcullis.resilience.StatusSet;
import io.portcullis.latency.LatencyHistogram;
import io.portcullis.resilience.RetryOperator;
import io.portcullis.upstream.Upstream;

import java.util.Set;

/**
 * How one route calls one upstream, fixed at load time: the upstream, the breakers that apply
 * (the upstream's, or the route's own when it overrides breaker settings), the retry
 * operator with the effective retry policy, and the statuses that count as breaker failures
 * (also as a {@link StatusSet}, which each attempt tests without boxing its status), and the
 * upstream's latency histogram when the route hedges after a percentile of it ({@code null}
 * otherwise: then no attempt records its latency there).
 */
public record CallPlan(Upstream upstream, Upstream.BreakerSet breakers, RetryOperator retry,
                       Set<Integer> failureStatuses, StatusSet failureStatusSet, LatencyHistogram latency) {

  /** A plan whose {@link #failureStatusSet()} is made from {@code failureStatuses}, recording no latency. */
  public CallPlan(Upstream upstream, Upstream.BreakerSet breakers, RetryOperator retry, Set<Integer> failureStatuses) {
    this(upstream, breakers, retry, failureStatuses, StatusSet.of(failureStatuses), null);
  }

  /** A plan whose {@link #failureStatusSet()} is made from {@code failureStatuses}. */
  public CallPlan(Upstream upstream, Upstream.BreakerSet breakers, RetryOperator retry, Set<Integer> failureStatuses,
                  LatencyHistogram latency) {
    this(upstream, breakers, retry, failureStatuses, StatusSet.of(failureStatuses), latency);
  }

  /** The upstream's name. */
  public String upstreamName() {
    return upstream.name();
  }

  /** Per-attempt timeout in ms, 0 for none. */
  public long perTryTimeoutMs() {
    return retry.policy().perTryTimeoutMs();
  }
}
