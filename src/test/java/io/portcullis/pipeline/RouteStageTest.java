package io.portcullis.pipeline;

import static io.portcullis.pipeline.PathHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RouteRateLimit;
import io.portcullis.route.PathPattern;
import io.portcullis.route.RouteTable;
import io.portcullis.testkit.FakeHttpRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteStageTest {

  private final RouteTarget users = target("users");
  private final RouteTarget rest = target("rest");
  private final PathHarness harness = new PathHarness(new RouteStage(new RouteTable<>(List.of(
      new RouteTable.Entry<>("users", PathPattern.prefix("/users"), Set.of("GET"), users),
      new RouteTable.Entry<>("rest", PathPattern.prefix("/"), Set.of("POST"), rest)))));

  static RouteTarget target(String name) {
    return new RouteTarget.Proxy(new ProxyRoute(name, null, null, false), 1000, RouteRateLimit.NONE);
  }

  @Test
  void theFirstMatchingRouteIsPutOnTheExchange() {
    harness.run(FakeHttpRequest.of("GET", "/users/7"));

    Exchange exchange = harness.passed();
    assertThat(exchange.route()).isEqualTo("users");
    assertThat(exchange.target()).isSameAs(users);
  }

  @Test
  void theMethodTakesPartInTheMatch() {
    harness.run(FakeHttpRequest.of("POST", "/users/7"));

    assertThat(harness.passed().target()).isSameAs(rest);
  }

  @Test
  void noMatchingRouteIs404NamingMethodAndPath() {
    FakeHttpRequest request = harness.run(FakeHttpRequest.of("PUT", "/users/7"));

    assertThat(request.status()).isEqualTo(404);
    assertThat(errorCode(request)).isEqualTo("no_route");
    assertThat(PathHarness.message(request)).isEqualTo("no route matches PUT /users/7");
    assertThat(harness.reachedEnd).isEmpty();
  }
}
