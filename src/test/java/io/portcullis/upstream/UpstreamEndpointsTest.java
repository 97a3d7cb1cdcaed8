package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Endpoint;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.resilience.Scheduler;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeTicker;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An upstream built over a new set of endpoints (what a DNS answer makes). */
class UpstreamEndpointsTest {

  private final Vertx vertx = Vertx.vertx();
  private final FakeTicker ticker = new FakeTicker();
  private final UpstreamConfig config;

  UpstreamEndpointsTest() throws Exception {
    GatewayConfig parsed = ConfigFiles.parse(("{'upstreams':{'svc':{'endpoints':['http://svc.test:80'],"
        + "'discovery':{'dns':true}}},'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'svc'}]}")
        .replace('\'', '"'));
    config = parsed.upstreams().get("svc");
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  private Upstream upstream(List<String> addresses, Upstream previous) {
    List<Endpoint> endpoints = addresses.stream().map(a -> config.endpoints().get(0).resolvedTo(a)).toList();
    return new Upstream(vertx, config, endpoints, ticker, Scheduler.of(vertx), new SplittableRandom(7),
        (breaker, to) -> { }, previous);
  }

  @Test
  void anUpstreamWithNoAddressYetPicksNoEndpoint() {
    Upstream none = upstream(List.of(), null);

    assertThat(none.endpoints()).isEmpty();
    assertThat(none.defaultBreakers().pick(0, -1)).isEqualTo(-1);
    assertThat(none.defaultBreakers().anyAvailable()).isFalse();
  }

  @Test
  void aPickPrefersAnUntriedEndpointAndOnceEveryOneIsTriedAvoidsTheLastOne() {
    Upstream three = upstream(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"), null);
    Upstream.BreakerSet breakers = three.defaultBreakers();

    for (int i = 0; i < 6; i++) {
      assertThat(breakers.pick(0b011, 1)).as("the one endpoint not tried yet").isEqualTo(2);
      for (int last = 0; last < 3; last++) {
        assertThat(breakers.pick(0b111, last)).as("all tried, the last attempt on %d", last)
            .isNotEqualTo(last).isBetween(0, 2);
      }
    }
    Upstream one = upstream(List.of("10.0.0.1"), null);
    assertThat(one.defaultBreakers().pick(0b1, 0)).as("a single endpoint takes every retry").isEqualTo(0);
  }

  @Test
  void anEndpointsPortIsBoxedOnceForEveryRequestToIt() {
    EndpointState endpoint = new EndpointState(new Endpoint("http", "10.0.0.1", 9001, java.util.Optional.empty()));

    assertThat(endpoint.port()).isEqualTo(9001);
    // Above Integer's cache (-128..127): boxing the int again would make a new object each time.
    assertThat(endpoint.port()).isSameAs(endpoint.port());
  }

  @Test
  void addressesThatStayKeepTheirStateAndBreakerAndNewOnesStartFresh() {
    Upstream first = upstream(List.of("10.0.0.1", "10.0.0.2"), null);
    EndpointState one = first.endpoints()[0];
    one.recordFailure();
    EndpointBreaker breaker = first.defaultBreakers().breaker(0);

    Upstream second = upstream(List.of("10.0.0.1", "10.0.0.3"), first);

    assertThat(second.endpoints()[0]).isSameAs(one);
    assertThat(second.endpoints()[0].failures()).isEqualTo(1);
    assertThat(second.defaultBreakers().breaker(0)).isSameAs(breaker);
    assertThat(second.endpoints()[1].address().toString()).isEqualTo("http://10.0.0.3:80");
    assertThat(second.endpoints()[1].address().hostName()).isEqualTo("svc.test");
    assertThat(second.endpoints()[1].server().hostAddress()).isEqualTo("10.0.0.3");
    assertThat(second.hasEndpoints(List.of(config.endpoints().get(0).resolvedTo("10.0.0.1"),
        config.endpoints().get(0).resolvedTo("10.0.0.3")))).isTrue();
    assertThat(second.hasEndpoints(List.of(config.endpoints().get(0).resolvedTo("10.0.0.1")))).isFalse();
  }

  @Test
  void aRemovedAddressDrainsWhileItHasRequestsAndIsForgottenAfter() {
    Upstream first = upstream(List.of("10.0.0.1", "10.0.0.2"), null);
    EndpointState leaving = first.endpoints()[1];
    leaving.acquire();

    Upstream second = upstream(List.of("10.0.0.1"), first);
    assertThat(second.draining()).containsExactly(leaving);
    assertThat(second.defaultBreakers().size()).isEqualTo(1);

    // Another answer while it still drains: still listed.
    Upstream third = upstream(List.of("10.0.0.1", "10.0.0.4"), second);
    assertThat(third.draining()).containsExactly(leaving);

    leaving.release();
    assertThat(third.draining()).isEmpty();
    assertThat(upstream(List.of("10.0.0.1"), third).draining()).isEmpty();
  }

  @Test
  void anAddressThatComesBackWhileDrainingIsTheSameEndpointAgain() {
    Upstream first = upstream(List.of("10.0.0.1", "10.0.0.2"), null);
    EndpointState back = first.endpoints()[1];
    back.acquire();
    Upstream second = upstream(List.of("10.0.0.1"), first);

    Upstream third = upstream(List.of("10.0.0.1", "10.0.0.2"), second);

    assertThat(third.endpoints()[1]).isSameAs(back);
    assertThat(third.draining()).isEmpty();
  }
}
