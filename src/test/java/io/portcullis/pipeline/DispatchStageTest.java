package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.testkit.FakeHttpRequest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatchStageTest {

  private final List<String> calls = new ArrayList<>();
  private final Promise<Void> outcome = Promise.promise();
  private Handler<Void> tunnelClosed;

  private final DispatchStage.Dispatcher dispatcher = new DispatchStage.Dispatcher() {
    @Override
    public void proxy(Exchange exchange, ProxyRoute route) {
      calls.add("proxy " + route.name());
      outcome.future().onFailure(exchange::fail);
    }

    @Override
    public Future<Void> webSocket(Exchange exchange, ProxyRoute route, Handler<Void> onTunnelClosed) {
      calls.add("websocket " + route.name());
      tunnelClosed = onTunnelClosed;
      return outcome.future();
    }

    @Override
    public Future<Void> aggregate(Exchange exchange, AggregateRoute route) {
      calls.add("aggregate " + route.name() + " " + exchange.params());
      return outcome.future();
    }
  };

  private PathHarness harness(RouteTarget target, Map<String, String> params) {
    return new PathHarness(exchange -> {
      exchange.matched("r", target, params);
      return Stage.Verdict.CONTINUE;
    }, new BodyLimitStage(1000), new DispatchStage(dispatcher));
  }

  private static RouteTarget proxy(boolean websocket) {
    return new RouteTarget.Proxy(new ProxyRoute("p", null, null, websocket), 1000, RouteRateLimit.NONE);
  }

  @Test
  void aProxyRouteGoesToTheProxyWithTheBodyPaused() {
    FakeHttpRequest request = harness(proxy(false), Map.of()).run(FakeHttpRequest.of("GET", "/"));

    assertThat(calls).containsExactly("proxy p");
    assertThat(request.paused()).isTrue();
    assertThat(request.continueWritten()).isFalse();
  }

  @Test
  void anExpectContinueIsAnsweredBeforeTheBodyIsRead() {
    FakeHttpRequest request = harness(proxy(false), Map.of()).run(FakeHttpRequest.of("POST", "/")
        .header("Content-Length", "10").header("Expect", "100-continue"));

    assertThat(request.continueWritten()).isTrue();
  }

  @Test
  void aWebSocketHandshakeOnAWebSocketRouteGoesToTheTunnelWhoseEndFinishesTheRequest() {
    PathHarness harness = harness(proxy(true), Map.of());
    harness.run(FakeHttpRequest.of("GET", "/").header("Connection", "Upgrade").header("Upgrade", "websocket"));

    assertThat(calls).containsExactly("websocket p");
    assertThat(harness.finishedStatuses).isEmpty();
    tunnelClosed.handle(null);
    tunnelClosed.handle(null);
    assertThat(harness.finishedStatuses).hasSize(1);
  }

  @Test
  void aWebSocketHandshakeOnAPlainRouteIsProxiedAsAnOrdinaryRequest() {
    harness(proxy(false), Map.of()).run(FakeHttpRequest.of("GET", "/").header("Connection", "Upgrade")
        .header("Upgrade", "websocket"));

    assertThat(calls).containsExactly("proxy p");
  }

  @Test
  void anAggregateRouteGoesToTheAggregateWithItsPathParameters() {
    RouteTarget target = new RouteTarget.Aggregate(new AggregateRoute("agg", List.of()), 1000, RouteRateLimit.NONE);
    harness(target, Map.of("id", "7")).run(FakeHttpRequest.of("GET", "/"));

    assertThat(calls).containsExactly("aggregate agg {id=7}");
  }

  @Test
  void aHandlerFailureIsAnsweredByTheRequestPath() {
    FakeHttpRequest request = harness(proxy(false), Map.of()).run(FakeHttpRequest.of("GET", "/"));

    outcome.fail(new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE, "upstream p is unavailable"));

    assertThat(request.status()).isEqualTo(502);
    assertThat(errorCode(request)).isEqualTo("upstream_unavailable");
  }

  @Test
  void anAggregateFailureIsAnsweredByTheRequestPath() {
    RouteTarget target = new RouteTarget.Aggregate(new AggregateRoute("agg", List.of()), 1000, RouteRateLimit.NONE);
    FakeHttpRequest request = harness(target, Map.of()).run(FakeHttpRequest.of("GET", "/"));

    outcome.fail(new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE, "upstream agg is unavailable"));

    assertThat(request.status()).isEqualTo(502);
    assertThat(errorCode(request)).isEqualTo("upstream_unavailable");
  }
}
