package io.portcullis.ratelimit;

import io.portcullis.testkit.FakeTicker;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BreakerOverride;
import io.portcullis.config.MatchConfig;
import io.portcullis.config.RateLimitConfig;
import io.portcullis.config.RetryOverride;
import io.portcullis.config.RouteConfig;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimiterRegistryTest {

  private final FakeTicker ticker = new FakeTicker();
  private final RateLimiterRegistry registry = new RateLimiterRegistry(ticker);

  private static RouteConfig route(String name, RateLimitConfig limit) {
    return new RouteConfig(name, new MatchConfig(Optional.empty(), Optional.of("/" + name), Set.of()),
        Optional.of("backend"), List.of(), Optional.empty(), OptionalLong.empty(), RetryOverride.NONE,
        BreakerOverride.NONE, false, Optional.ofNullable(limit));
  }

  @Test
  void anUnchangedRouteGetsTheSameLimiterWithItsBuckets() {
    RateLimitConfig limit = new RateLimitConfig(1, 1, "ip");
    RateLimiter first = registry.limiter("users", limit);
    assertThat(first.acquire("10.0.0.1")).isZero();

    registry.retain(List.of(route("users", limit)));
    RateLimiter again = registry.limiter("users", new RateLimitConfig(1, 1, "ip"));

    assertThat(again).isSameAs(first);
    assertThat(again.acquire("10.0.0.1")).isPositive();
  }

  @Test
  void aChangedLimitGetsAFreshLimiterAndTheOldOneIsForgotten() {
    RateLimiter old = registry.limiter("users", new RateLimitConfig(1, 1, "ip"));
    RateLimitConfig changed = new RateLimitConfig(5, 10, "ip");

    RateLimiter fresh = registry.limiter("users", changed);
    registry.retain(List.of(route("users", changed)));

    assertThat(fresh).isNotSameAs(old);
    assertThat(fresh.burst()).isEqualTo(10);
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void theSameLimitOnTwoRoutesGivesTwoLimiters() {
    RateLimitConfig limit = new RateLimitConfig(1, 1, "ip");

    assertThat(registry.limiter("a", limit)).isNotSameAs(registry.limiter("b", limit));
  }

  @Test
  void routesThatAreGoneOrUnlimitedLoseTheirLimiters() {
    RateLimitConfig limit = new RateLimitConfig(1, 1, "ip");
    registry.limiter("a", limit);
    registry.limiter("b", limit);

    registry.retain(List.of(route("a", limit), route("b", null)));

    assertThat(registry.size()).isEqualTo(1);
  }
}
