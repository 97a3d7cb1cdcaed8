package io.portcullis.config;

import java.util.Objects;
import java.util.Set;

/**
 * A route's changes to the circuit breaker of the upstreams it uses (a route's JSON
 * {@code circuitBreaker} object). Every component is {@code null} when the route does not
 * override it; keys, types and ranges are those of {@link BreakerConfig}.
 *
 * @param maxFailures overrides {@link BreakerConfig#maxFailures()}, or null
 * @param rollingWindowMs overrides {@link BreakerConfig#rollingWindowMs()}, or null
 * @param resetTimeoutMs overrides {@link BreakerConfig#resetTimeoutMs()}, or null
 * @param failureStatuses overrides {@link BreakerConfig#failureStatuses()} (unmodifiable), or null
 */
public record BreakerOverride(
    Integer maxFailures, Long rollingWindowMs, Long resetTimeoutMs, Set<Integer> failureStatuses) {

  /** Overrides nothing: the route uses its upstreams' breakers as they are (the default). */
  public static final BreakerOverride NONE = new BreakerOverride(null, null, null, null);

  /** Copies {@code failureStatuses}, when given, into an unmodifiable set. */
  public BreakerOverride {
    failureStatuses = Immutables.orderedSetOrNull(failureStatuses, "failureStatuses");
  }

  /** The effective breaker: {@code base} with every non-null component of this replacing its own. */
  public BreakerConfig applyTo(BreakerConfig base) {
    Objects.requireNonNull(base, "base");
    return new BreakerConfig(
        maxFailures != null ? maxFailures : base.maxFailures(),
        rollingWindowMs != null ? rollingWindowMs : base.rollingWindowMs(),
        resetTimeoutMs != null ? resetTimeoutMs : base.resetTimeoutMs(),
        failureStatuses != null ? failureStatuses : base.failureStatuses());
  }
}
