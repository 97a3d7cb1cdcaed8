package io.portcullis.lifecycle;

import io.portcullis.resilience.Scheduler;
import io.portcullis.ratelimit.RouteRateLimit;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.RateLimiter;
import io.portcullis.testkit.Await;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rebuilt snapshot (what a configuration reload makes) keeps the limiter, and so every
 * client's bucket, of each route whose name and {@code rateLimit} did not change.
 */
class RateLimitSnapshotTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong nanos = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SnapshotBuilder builder = new SnapshotBuilder(vertx, nanos::get, Scheduler.of(vertx), GatewayOptions.THREAD_LOCAL_RANDOM,
      new GatewayMetrics(registry), (breaker, to) -> { });

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private static GatewayConfig config(String limitedTimeout, String limit) throws Exception {
    return ConfigFiles.parse(("{'upstreams':{'backend':{'endpoints':['http://127.0.0.1:9']}},'routes':["
        + "{'name':'limited','match':{'pathPrefix':'/limited'},'upstream':'backend','timeoutMs':" + limitedTimeout
        + ",'rateLimit':" + limit + "},"
        + "{'name':'open','match':{'pathPrefix':'/open'},'upstream':'backend'}]}").replace('\'', '"'));
  }

  private static RateLimiter limiterOf(RuntimeSnapshot snapshot, String path) {
    return snapshot.routes().find("GET", path).entry().target().rateLimit().limiter();
  }

  @Test
  void aRebuildThatLeavesTheLimitAloneKeepsTheLimiterAndItsBuckets() throws Exception {
    RuntimeSnapshot first = builder.build(config("1000", "{'requestsPerSecond':1,'burst':1}"), null);
    RateLimiter limiter = limiterOf(first, "/limited");
    assertThat(limiter.acquire("10.0.0.1")).isZero();

    RuntimeSnapshot second = builder.build(config("2000", "{'requestsPerSecond':1,'burst':1}"), first);

    assertThat(limiterOf(second, "/limited")).isSameAs(limiter);
    assertThat(limiterOf(second, "/limited").acquire("10.0.0.1")).isPositive();
  }

  @Test
  void aChangedLimitStartsAFreshLimiterWithTheNewSettings() throws Exception {
    RuntimeSnapshot first = builder.build(config("1000", "{'requestsPerSecond':1,'burst':1}"), null);
    RateLimiter old = limiterOf(first, "/limited");
    old.acquire("10.0.0.1");

    RuntimeSnapshot second = builder.build(config("1000", "{'requestsPerSecond':1,'burst':3}"), first);

    RateLimiter fresh = limiterOf(second, "/limited");
    assertThat(fresh).isNotSameAs(old);
    assertThat(fresh.burst()).isEqualTo(3);
    assertThat(fresh.acquire("10.0.0.1")).isZero();
  }

  @Test
  void onlyLimitedRoutesHaveALimiterAndTheirRefusalCounterIsRegisteredAtOnce() throws Exception {
    RuntimeSnapshot snapshot = builder.build(config("1000", "{'requestsPerSecond':1}"), null);

    assertThat(snapshot.routes().find("GET", "/open").entry().target().rateLimit()).isSameAs(RouteRateLimit.NONE);
    assertThat(registry.find("portcullis_rate_limited").tag("route", "limited").counter()).isNotNull();
    assertThat(registry.find("portcullis_rate_limited").tag("route", "open").counter()).isNull();
  }
}
