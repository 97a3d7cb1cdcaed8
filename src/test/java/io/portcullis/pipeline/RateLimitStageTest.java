package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RateLimiter;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.testkit.FakeTicker;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitStageTest {

  private final FakeTicker ticker = new FakeTicker();
  private final Counter refused = new SimpleMeterRegistry().counter("refused");

  private PathHarness harness(RouteRateLimit limit) {
    RouteTarget target = new RouteTarget.Proxy(new ProxyRoute("api", null, null, false), 1000, limit);
    return new PathHarness(exchange -> {
      exchange.matched("api", target, Map.of());
      return Stage.Verdict.CONTINUE;
    }, new RateLimitStage());
  }

  @Test
  void aRouteWithoutALimitLetsEveryRequestPass() {
    PathHarness harness = harness(RouteRateLimit.NONE);
    for (int i = 0; i < 100; i++) {
      harness.run(FakeHttpRequest.of("GET", "/"));
    }
    assertThat(harness.reachedEnd).hasSize(100);
  }

  @Test
  void anEmptyBucketIs429WithRetryAfterAndIsCounted() {
    PathHarness harness = harness(new RouteRateLimit("api", new RateLimiter(0.5, 1, ticker), null, refused));

    harness.run(FakeHttpRequest.of("GET", "/"));
    FakeHttpRequest second = harness.run(FakeHttpRequest.of("GET", "/"));

    assertThat(harness.reachedEnd).hasSize(1);
    assertThat(second.status()).isEqualTo(429);
    assertThat(errorCode(second)).isEqualTo("rate_limited");
    assertThat(second.responseHeaders().get("Retry-After")).isEqualTo("2");
    assertThat(refused.count()).isEqualTo(1.0);
  }

  @Test
  void eachClientAddressHasItsOwnBucketAndItRefillsWithTime() {
    PathHarness harness = harness(new RouteRateLimit("api", new RateLimiter(1, 1, ticker), null, refused));

    harness.run(FakeHttpRequest.of("GET", "/").peer("192.0.2.1"));
    harness.run(FakeHttpRequest.of("GET", "/").peer("192.0.2.2"));
    assertThat(harness.run(FakeHttpRequest.of("GET", "/").peer("192.0.2.1")).status()).isEqualTo(429);
    ticker.advanceMillis(1000);
    harness.run(FakeHttpRequest.of("GET", "/").peer("192.0.2.1"));

    assertThat(harness.reachedEnd).hasSize(3);
  }
}
