package io.portcullis.proxy;

import io.portcullis.resilience.RetryOperator;
import io.portcullis.upstream.Upstream;

import java.util.Set;

/**
 * How one route calls one upstream, fixed at load time: the upstream, the breakers that apply
 * (the upstream's, or the route's own when it overrides breaker settings), the retry
 * operator with the effective retry policy, and the statuses that count as breaker failures.
 */
public record CallPlan(Upstream upstream, Upstream.BreakerSet breakers, RetryOperator retry,
                       Set<Integer> failureStatuses) {

  /** The upstream's name. */
  public String upstreamName() {
    return upstream.name();
  }

  /** Per-attempt timeout in ms, 0 for none. */
  public long perTryTimeoutMs() {
    return retry.policy().perTryTimeoutMs();
  }
}
