package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.CidrBlock;
import io.portcullis.edge.TrustedProxies;
import io.portcullis.health.Readiness;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.ClusterLimit;
import io.portcullis.ratelimit.RateLimiter;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.testkit.FakeTicker;
import io.portcullis.trace.Tracing;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void theKeyIsTheClientAddressTheTrustedProxiesVouchFor() {
    RateLimiter limiter = new RateLimiter(1, 1, ticker);
    RouteTarget target = new RouteTarget.Proxy(new ProxyRoute("api", null, null, false), 1000,
        new RouteRateLimit("api", limiter, null, refused));
    List<Exchange> passed = new ArrayList<>();
    RequestPath path = new RequestPath(new Stage[] {exchange -> {
      exchange.matched("api", target, Map.of());
      return Stage.Verdict.CONTINUE;
    }, new RateLimitStage(), exchange -> {
      passed.add(exchange);
      return Stage.Verdict.HANDLED;
    }}, new Readiness(), Tracing.DISABLED, new RequestPath.Listener() {
      @Override
      public void started(Exchange exchange) {
      }

      @Override
      public void finished(Exchange exchange, int status) {
      }
    }, TrustedProxies.of(List.of(CidrBlock.parse("10.0.0.0/8"))));

    // Two clients behind one trusted balancer: a bucket each.
    path.handle(FakeHttpRequest.of("GET", "/").peer("10.0.0.5").header("X-Forwarded-For", "198.51.100.1").request(), 0);
    path.handle(FakeHttpRequest.of("GET", "/").peer("10.0.0.5").header("X-Forwarded-For", "198.51.100.2").request(), 0);
    // A client writing its own header from outside the trusted blocks is keyed on its address.
    path.handle(FakeHttpRequest.of("GET", "/").peer("192.0.2.9").header("X-Forwarded-For", "198.51.100.3").request(), 0);
    FakeHttpRequest again = FakeHttpRequest.of("GET", "/").peer("10.0.0.6").header("X-Forwarded-For", "198.51.100.1");
    path.handle(again.request(), 0);

    assertThat(passed).extracting(Exchange::clientAddress).containsExactly("198.51.100.1", "198.51.100.2", "192.0.2.9");
    assertThat(again.status()).isEqualTo(429);
    assertThat(limiter.keys()).isEqualTo(3);
  }

  @Test
  void aClusterLimitWithoutAStoreIsDecidedByTheLocalBucket() {
    RateLimiter local = new RateLimiter(0.5, 2, ticker);
    PathHarness harness = harness(new RouteRateLimit("api", local, "X-Api-Key", refused, new ClusterLimit("api", local)));

    for (int i = 0; i < 3; i++) {
      harness.run(FakeHttpRequest.of("GET", "/").header("X-Api-Key", "k"));
    }

    assertThat(harness.reachedEnd).hasSize(2);
    assertThat(refused.count()).isEqualTo(1.0);
  }
}
