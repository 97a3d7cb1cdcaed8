package io.portcullis.config;

import io.portcullis.config.RouteReader.ParsedRoute;
import io.portcullis.config.UpstreamReader.Upstreams;
import java.util.List;

/**
 * Checks between a route and the upstreams it uses (README "Command line", {@code --check}:
 * incoherent settings are errors): after the route's retry override is applied to each upstream's
 * policy, a per-try timeout must be below the route's timeout (else it could never fire) and the
 * backoff cap must not be below its base. A hedge's delay must be below the route's timeout too.
 * Each problem is reported where it can be fixed: on the route if the route overrides the value,
 * else on the upstream.
 */
final class Coherence {

  private Coherence() {}

  /**
   * @param defaultMs {@code deadline.defaultMs}, or null if it is invalid
   * @param maxMs {@code deadline.maxMs}, where every route timeout is capped, or null if it is invalid
   */
  static void check(List<ParsedRoute> routes, Upstreams upstreams, Long defaultMs, Long maxMs, Problems problems) {
    for (ParsedRoute route : routes) {
      RetryOverride override = route.retry();
      Long timeout = route.timeoutMs() != null ? route.timeoutMs() : defaultMs;
      if (timeout != null && maxMs != null && timeout > maxMs) {
        timeout = maxMs; // the budget is capped there
      }
      if (route.hedgeDelayMs() != null && route.timeoutValid() && timeout != null && route.hedgeDelayMs() >= timeout) {
        problems.add(route.node().child("hedge").child("delayMs"), "must be below the route timeout " + timeout
            + (route.timeoutMs() == null ? " (deadline.defaultMs)" : "") + ", got " + route.hedgeDelayMs());
      }
      if (override == null || !route.timeoutValid()) {
        continue; // already reported; checking against a broken value would only add noise
      }
      for (String name : route.upstreams()) {
        RetryConfig base = upstreams.retries().get(name);
        if (base == null) {
          continue;
        }
        RetryConfig effective = override.applyTo(base);
        if (timeout != null) {
          checkPerTryTimeout(route, name, effective, timeout, upstreams, problems);
        }
        checkDelays(route, name, effective, problems);
      }
    }
  }

  private static void checkPerTryTimeout(ParsedRoute route, String upstream, RetryConfig effective, long timeout,
      Upstreams upstreams, Problems problems) {
    long perTry = effective.perTryTimeoutMs();
    if (perTry == 0 || perTry < timeout) {
      return;
    }
    if (route.retry().perTryTimeoutMs() != null) {
      problems.add(route.node().child("retry").child("perTryTimeoutMs"),
          "must be below the route timeout " + timeout + ", got " + perTry);
    } else {
      String routeName = route.name() != null && !route.name().isEmpty()
          ? Syntax.quote(route.name())
          : route.node().label();
      problems.add(upstreams.node().child(upstream).child("retry").child("perTryTimeoutMs"),
          "must be below the timeout " + timeout + " of route " + routeName + ", got " + perTry);
    }
  }

  private static void checkDelays(ParsedRoute route, String upstream, RetryConfig effective, Problems problems) {
    if (effective.maxDelayMs() >= effective.baseDelayMs()) {
      return;
    }
    RetryOverride override = route.retry();
    Node retry = route.node().child("retry");
    if (override.maxDelayMs() != null && override.baseDelayMs() != null) {
      return; // a conflict within the override itself, reported when it was read
    }
    if (override.maxDelayMs() != null) {
      problems.add(retry.child("maxDelayMs"), "must be >= the baseDelayMs " + effective.baseDelayMs()
          + " of upstream " + Syntax.quote(upstream) + ", got " + effective.maxDelayMs());
    } else if (override.baseDelayMs() != null) {
      problems.add(retry.child("baseDelayMs"), "must be <= the maxDelayMs " + effective.maxDelayMs()
          + " of upstream " + Syntax.quote(upstream) + ", got " + effective.baseDelayMs());
    }
  }
}
