package io.portcullis.pipeline;

import io.portcullis.http.GatewayException;

/**
 * Admission by the matched route's {@code rateLimit} (README "Errors", 429 {@code rate_limited}):
 * an empty bucket refuses the request before anything is sent upstream. Further admission stages
 * (a per-upstream concurrency limit, a cluster-wide limit) follow this one.
 */
public final class RateLimitStage implements Stage {

  @Override
  public Verdict apply(Exchange exchange) {
    GatewayException limited = exchange.target().rateLimit().refusal(exchange.request());
    return limited == null ? Verdict.CONTINUE : exchange.refuse(limited);
  }
}
