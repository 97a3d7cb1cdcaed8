package io.portcullis.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code retry} and {@code circuitBreaker} objects. An upstream's object and a route's
 * override have the same keys, types and ranges; both are read as overrides (absent members are
 * null), and an upstream's policy is its override applied to the defaults.
 */
final class PolicyReader {

  private static final Pattern STATUS = Pattern.compile("[1-5][0-9][0-9]");
  private static final Range MS_AT_LEAST_1 = Range.atLeast(1);

  private PolicyReader() {}

  /**
   * An upstream's retry policy, defaults filled in: {@code valid} when it has no problem, else
   * null; and {@code checked}, what the checks between routes and upstreams use, whatever other
   * problems the object has (a value that is itself invalid reads as its default there, so that
   * one mistake does not hide another: every error is reported).
   */
  record UpstreamRetry(RetryConfig valid, RetryConfig checked) {}

  /** An upstream's retry policy (see {@link UpstreamRetry}). */
  static UpstreamRetry upstreamRetry(Node node, Problems problems) {
    int mark = problems.mark();
    RetryOverride given = retry(node, problems);
    RetryConfig effective = given.applyTo(RetryConfig.defaults());
    if (known(node, "baseDelayMs", given.baseDelayMs()) && known(node, "maxDelayMs", given.maxDelayMs())
        && effective.maxDelayMs() < effective.baseDelayMs()) {
      problems.add(node.child("maxDelayMs"), "must be >= baseDelayMs " + effective.baseDelayMs() + ", got "
          + effective.maxDelayMs() + (given.maxDelayMs() == null ? " (default)" : ""));
    }
    return new UpstreamRetry(problems.cleanSince(mark) ? effective : null, effective);
  }

  /**
   * A route's retry override; its members that are invalid are null (not overriding), and the
   * route has problems then. Only a conflict within the override itself is checked here; one with
   * the upstream's policy is checked once upstreams are known.
   */
  static RetryOverride routeRetry(Node node, Problems problems) {
    RetryOverride given = retry(node, problems);
    if (given.baseDelayMs() != null && given.maxDelayMs() != null && given.maxDelayMs() < given.baseDelayMs()) {
      problems.add(node.child("maxDelayMs"),
          "must be >= baseDelayMs " + given.baseDelayMs() + ", got " + given.maxDelayMs());
    }
    return given;
  }

  /** Whether member {@code key} of {@code node} is absent (its default applies) or valid ({@code value}). */
  private static boolean known(Node node, String key, Object value) {
    return value != null || !node.child(key).present();
  }

  /** An upstream's breaker, defaults filled in; null if it has problems. */
  static BreakerConfig upstreamBreaker(Node node, Problems problems) {
    int mark = problems.mark();
    BreakerConfig effective = breaker(node, problems).applyTo(BreakerConfig.defaults());
    return problems.cleanSince(mark) ? effective : null;
  }

  /** A route's breaker override; null if it has problems. */
  static BreakerOverride routeBreaker(Node node, Problems problems) {
    int mark = problems.mark();
    BreakerOverride given = breaker(node, problems);
    return problems.cleanSince(mark) ? given : null;
  }

  private static RetryOverride retry(Node node, Problems problems) {
    Fields f = Fields.open(node, problems, "maxAttempts", "baseDelayMs", "maxDelayMs", "jitter",
        "perTryTimeoutMs", "retryOn", "methods", "budgetRatio", "budgetMinPerSecond");
    return new RetryOverride(
        f.int32("maxAttempts", null, Range.within(1, 10)),
        f.integer("baseDelayMs", null, MS_AT_LEAST_1),
        f.integer("maxDelayMs", null, MS_AT_LEAST_1),
        f.choice("jitter", null, JitterMode.values(), JitterMode::jsonName),
        f.integer("perTryTimeoutMs", null, Range.atLeast(0)),
        f.set("retryOn", null, element -> retryCondition(element, problems)),
        f.set("methods", null, element -> method(element, problems)),
        f.number("budgetRatio", null, 0, 1, true),
        f.number("budgetMinPerSecond", null, 0, Double.MAX_VALUE, false));
  }

  private static BreakerOverride breaker(Node node, Problems problems) {
    Fields f = Fields.open(node, problems, "maxFailures", "rollingWindowMs", "resetTimeoutMs", "failureStatuses");
    return new BreakerOverride(
        f.int32("maxFailures", null, Range.intAtLeast(1)),
        // The breaker counts failures in whole seconds, so a window must hold at least one.
        f.integer("rollingWindowMs", null, Range.atLeast(1000)),
        f.integer("resetTimeoutMs", null, MS_AT_LEAST_1),
        f.set("failureStatuses", null, element -> {
          Long status = Fields.integer(element, Range.between(100, 599), problems);
          return status == null ? null : status.intValue();
        }));
  }

  private static String retryCondition(Node element, Problems problems) {
    String token = Fields.string(element, problems, null);
    if (token == null) {
      return null;
    }
    if (Set.of(RetryConfig.RETRY_ON_CONNECT_FAILURE, RetryConfig.RETRY_ON_RESET, RetryConfig.RETRY_ON_PER_TRY_TIMEOUT)
            .contains(token)
        || STATUS.matcher(token).matches()) {
      return token;
    }
    problems.add(element, "must be \"connect-failure\", \"reset\", \"per-try-timeout\" or a status 100-599, got "
        + element.shown());
    return null;
  }

  /**
   * An HTTP method name: a token (RFC 9110 §9.1). Methods are case-sensitive and the standard ones
   * upper case, so a lower-case name here is taken to mean the standard method and upper-cased.
   */
  static String method(Node element, Problems problems) {
    String name = Fields.string(element, problems, null);
    if (name == null) {
      return null;
    }
    if (!Syntax.isToken(name)) {
      problems.add(element, "must be an HTTP method token, got " + element.shown());
      return null;
    }
    return name.toUpperCase(Locale.ROOT);
  }
}
