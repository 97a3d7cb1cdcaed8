package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.aggregate.BranchAdmission;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.proxy.CallPlan;
import io.portcullis.proxy.ExchangeObserver;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.testkit.FakeTicker;
import io.portcullis.upstream.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** README "Overload: concurrency limits": the admission stage alone, on fake requests. */
class ConcurrencyStageTest {

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> shed = new ArrayList<>();

  private static Upstream upstream(String name, String concurrency) {
    String json = ("{'upstreams':{'" + name + "':{'endpoints':['http://127.0.0.1:1']" + concurrency + "}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'" + name + "'}]}").replace('\'', '"');
    try {
      UpstreamConfig config = ConfigFiles.parse(json).upstreams().get(name);
      return new Upstream(null, config, new FakeTicker(), new FakeScheduler(), new SplittableRandom(1), (b, to) -> { });
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static CallPlan plan(Upstream upstream) {
    return new CallPlan(upstream, null, null, Set.of());
  }

  private PathHarness proxyPath(Upstream upstream) {
    RouteTarget target = new RouteTarget.Proxy(new ProxyRoute("api", plan(upstream), null, false), 1000,
        RouteRateLimit.NONE);
    return new PathHarness(exchange -> {
      exchange.matched("api", target, Map.of());
      return Stage.Verdict.CONTINUE;
    }, new ConcurrencyStage(ticker, shed::add));
  }

  private PathHarness aggregatePath(AggregateRoute route) {
    RouteTarget target = new RouteTarget.Aggregate(route, 1000, RouteRateLimit.NONE);
    return new PathHarness(exchange -> {
      exchange.matched("profile", target, Map.of());
      return Stage.Verdict.CONTINUE;
    }, new ConcurrencyStage(ticker, shed::add));
  }

  @Test
  void modeOffTakesNoPermitAndObservesNothing() {
    Upstream off = upstream("svc", "");
    PathHarness harness = proxyPath(off);

    for (int i = 0; i < 50; i++) {
      harness.run(FakeHttpRequest.of("GET", "/"));
    }

    assertThat(harness.reachedEnd).hasSize(50);
    assertThat(harness.reachedEnd.get(0).exchangeObserver()).isSameAs(ExchangeObserver.NONE);
    assertThat(off.limiter().inFlight()).as("off counts nothing").isEqualTo(-1);
  }

  @Test
  void aFullFixedLimitAnswers503OverloadedWithRetryAfterOneAndTellsTheShedListener() {
    Upstream svc = upstream("svc", ",'concurrency':{'mode':'fixed','max':2}");
    PathHarness harness = proxyPath(svc);

    harness.run(FakeHttpRequest.of("GET", "/a"));
    harness.run(FakeHttpRequest.of("GET", "/b"));
    FakeHttpRequest third = harness.run(FakeHttpRequest.of("GET", "/c"));

    assertThat(harness.reachedEnd).hasSize(2);
    assertThat(third.status()).isEqualTo(503);
    assertThat(errorCode(third)).isEqualTo("overloaded");
    assertThat(third.responseHeaders().get("Retry-After")).isEqualTo("1");
    assertThat(new io.vertx.core.json.JsonObject(third.body()).getString("upstream")).isEqualTo("svc");
    assertThat(shed).containsExactly("svc");
    assertThat(svc.limiter().inFlight()).isEqualTo(2);
  }

  @Test
  void thePermitIsReturnedExactlyOnceWhenTheRequestFinishes() {
    Upstream svc = upstream("svc", ",'concurrency':{'mode':'fixed','max':1}");
    PathHarness harness = proxyPath(svc);
    FakeHttpRequest first = harness.run(FakeHttpRequest.of("GET", "/a"));
    assertThat(harness.reachedEnd.get(0).exchangeObserver()).as("the exchange observes its upstream")
        .isSameAs(harness.reachedEnd.get(0));
    assertThat(harness.run(FakeHttpRequest.of("GET", "/b")).status()).isEqualTo(503);

    first.clientGone();
    first.clientGone();

    assertThat(svc.limiter().inFlight()).as("returned once, not twice").isZero();
    harness.run(FakeHttpRequest.of("GET", "/c"));
    assertThat(harness.reachedEnd).hasSize(2);
  }

  @Test
  void aShedOptionalBranchIsMarkedAndTheOthersKeepTheirPermits() {
    Upstream users = upstream("users", ",'concurrency':{'mode':'fixed','max':1}");
    Upstream orders = upstream("orders", ",'concurrency':{'mode':'fixed','max':1}");
    orders.limiter().tryAcquire(); // orders is full
    AggregateRoute route = new AggregateRoute("profile", List.of(
        new AggregateRoute.Backend("user", "/users", true, plan(users)),
        new AggregateRoute.Backend("orders", "/orders", false, plan(orders))));
    PathHarness harness = aggregatePath(route);

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/profile/7"));

    BranchAdmission admission = harness.passed().branchAdmission();
    assertThat(admission.admitted(0)).isTrue();
    assertThat(admission.admitted(1)).isFalse();
    assertThat(shed).containsExactly("orders");
    assertThat(users.limiter().inFlight()).isEqualTo(1);
    admission.ended(0);
    assertThat(users.limiter().inFlight()).as("returned when its branch ends").isZero();
    request.clientGone();
    assertThat(users.limiter().inFlight()).as("and not again when the request finishes").isZero();
    assertThat(orders.limiter().inFlight()).as("the shed branch took nothing").isEqualTo(1);
  }

  @Test
  void aShedRequiredBranchRefusesTheRequestAndReturnsThePermitsAlreadyTaken() {
    Upstream users = upstream("users", ",'concurrency':{'mode':'fixed','max':1}");
    Upstream orders = upstream("orders", ",'concurrency':{'mode':'fixed','max':1}");
    orders.limiter().tryAcquire(); // orders is full
    AggregateRoute route = new AggregateRoute("profile", List.of(
        new AggregateRoute.Backend("user", "/users", true, plan(users)),
        new AggregateRoute.Backend("orders", "/orders", true, plan(orders))));
    PathHarness harness = aggregatePath(route);

    FakeHttpRequest request = harness.run(FakeHttpRequest.of("GET", "/profile/7"));

    assertThat(harness.reachedEnd).isEmpty();
    assertThat(request.status()).isEqualTo(503);
    assertThat(errorCode(request)).isEqualTo("overloaded");
    assertThat(request.responseHeaders().get("Retry-After")).isEqualTo("1");
    assertThat(users.limiter().inFlight()).isZero();
    assertThat(orders.limiter().inFlight()).isEqualTo(1);
  }

  @Test
  void anAggregateWhoseUpstreamsHaveNoLimitAdmitsEveryBranchWithoutAllocatingPermits() {
    AggregateRoute route = new AggregateRoute("profile", List.of(
        new AggregateRoute.Backend("user", "/users", true, plan(upstream("users", "")))));
    PathHarness harness = aggregatePath(route);

    harness.run(FakeHttpRequest.of("GET", "/profile/7"));

    assertThat(harness.passed().branchAdmission()).isSameAs(BranchAdmission.ALL);
  }
}
