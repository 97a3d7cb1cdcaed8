package io.portcullis.config;

import java.util.Objects;
import java.util.Set;

/**
 * A route's changes to the retry policy of the upstreams it uses (a route's JSON {@code retry}
 * object). Every component is {@code null} when the route does not override it; keys, types and
 * ranges are those of {@link RetryConfig}.
 *
 * @param maxAttempts overrides {@link RetryConfig#maxAttempts()}, or null
 * @param baseDelayMs overrides {@link RetryConfig#baseDelayMs()}, or null
 * @param maxDelayMs overrides {@link RetryConfig#maxDelayMs()}, or null
 * @param jitter overrides {@link RetryConfig#jitter()}, or null
 * @param perTryTimeoutMs overrides {@link RetryConfig#perTryTimeoutMs()}, or null
 * @param retryOn overrides {@link RetryConfig#retryOn()} (unmodifiable), or null
 * @param methods overrides {@link RetryConfig#methods()} (unmodifiable), or null
 * @param budgetRatio overrides {@link RetryConfig#budgetRatio()}, or null
 * @param budgetMinPerSecond overrides {@link RetryConfig#budgetMinPerSecond()}, or null
 */
public record RetryOverride(
    Integer maxAttempts,
    Long baseDelayMs,
    Long maxDelayMs,
    JitterMode jitter,
    Long perTryTimeoutMs,
    Set<String> retryOn,
    Set<String> methods,
    Double budgetRatio,
    Double budgetMinPerSecond) {

  /** Overrides nothing: the route uses its upstreams' policies as they are (the default). */
  public static final RetryOverride NONE =
      new RetryOverride(null, null, null, null, null, null, null, null, null);

  /** Copies the sets, when given, into unmodifiable ones. */
  public RetryOverride {
    retryOn = Immutables.orderedSetOrNull(retryOn, "retryOn");
    methods = Immutables.orderedSetOrNull(methods, "methods");
  }

  // Written out rather than generated: a record's generated equals and hashCode are linked on first
  // use through java.lang.runtime.ObjectMethods, whose method-handle set-up start-up paid for
  // (docs/performance.md "Start-up, third pass").
  @Override
  public boolean equals(Object other) {
    return other instanceof RetryOverride that && Objects.equals(maxAttempts, that.maxAttempts)
        && Objects.equals(baseDelayMs, that.baseDelayMs) && Objects.equals(maxDelayMs, that.maxDelayMs)
        && jitter == that.jitter && Objects.equals(perTryTimeoutMs, that.perTryTimeoutMs)
        && Objects.equals(retryOn, that.retryOn) && Objects.equals(methods, that.methods)
        && Objects.equals(budgetRatio, that.budgetRatio) && Objects.equals(budgetMinPerSecond, that.budgetMinPerSecond);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, baseDelayMs, maxDelayMs, jitter, perTryTimeoutMs, retryOn, methods, budgetRatio,
        budgetMinPerSecond);
  }

  /** The effective policy: {@code base} with every non-null component of this replacing its own. */
  public RetryConfig applyTo(RetryConfig base) {
    Objects.requireNonNull(base, "base");
    if (equals(NONE)) {
      return base; // the common case, once per route and upstream: no copy of base's sets
    }
    return new RetryConfig(
        maxAttempts != null ? maxAttempts : base.maxAttempts(),
        baseDelayMs != null ? baseDelayMs : base.baseDelayMs(),
        maxDelayMs != null ? maxDelayMs : base.maxDelayMs(),
        jitter != null ? jitter : base.jitter(),
        perTryTimeoutMs != null ? perTryTimeoutMs : base.perTryTimeoutMs(),
        retryOn != null ? retryOn : base.retryOn(),
        methods != null ? methods : base.methods(),
        budgetRatio != null ? budgetRatio : base.budgetRatio(),
        budgetMinPerSecond != null ? budgetMinPerSecond : base.budgetMinPerSecond());
  }
}
