package io.portcullis.resilience;

import java.util.OptionalLong;

/**
 * Computes a request's time budget (README "How a request flows"): the smallest of the route's timeout (or
 * {@code deadline.defaultMs}), the client's deadline header, the {@code grpc-timeout} header and
 * {@code deadline.maxMs}.
 */
public final class DeadlineBudget {

  private DeadlineBudget() {}

  /**
   * Returns the request budget: {@code min(routeTimeoutMs, clientHeaderMs if present,
   * grpcTimeoutMs if present, maxMs)}. Values are used as given: validating the client header
   * (a positive integer) and clamping a zero budget is the caller's job.
   *
   * @param routeTimeoutMs the route's {@code timeoutMs}, or {@code deadline.defaultMs}
   * @param clientHeaderMs the client's deadline header, if present
   * @param grpcTimeoutMs the parsed {@code grpc-timeout} header, if present
   * @param maxMs {@code deadline.maxMs}
   * @return the budget in milliseconds
   */
  public static long budgetMs(long routeTimeoutMs, OptionalLong clientHeaderMs,
      OptionalLong grpcTimeoutMs, long maxMs) {
    long budget = Math.min(routeTimeoutMs, maxMs);
    if (clientHeaderMs.isPresent()) {
      budget = Math.min(budget, clientHeaderMs.getAsLong());
    }
    if (grpcTimeoutMs.isPresent()) {
      budget = Math.min(budget, grpcTimeoutMs.getAsLong());
    }
    return budget;
  }
}
