package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.resilience.Outcome;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gateway's meters as recorded: bounded labels, one cached meter per label set, bounded buckets. */
class GatewayMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"GET,GET", "HEAD,HEAD", "POST,POST", "PUT,PUT", "DELETE,DELETE", "CONNECT,CONNECT",
      "OPTIONS,OPTIONS", "TRACE,TRACE", "PATCH,PATCH", "get,_OTHER", "BREW,_OTHER", "PROPFIND,_OTHER", "'',_OTHER"})
  void methodsAreLabelledByNameOrOther(String method, String label) {
    assertThat(MethodLabel.name(MethodLabel.index(method))).isEqualTo(label);
  }

  @Test
  void aMissingMethodIsOther() {
    assertThat(MethodLabel.name(MethodLabel.index(null))).isEqualTo(MethodLabel.OTHER);
  }

  @Test
  void requestsAreCountedPerRouteMethodAndStatusWithInventedMethodsSharingOneSeries() {
    metrics.request("r", "GET", 200, 1_000_000);
    metrics.request("r", "GET", 200, 1_000_000);
    metrics.request("r", "GET", 503, 1_000_000);
    for (int i = 0; i < 50; i++) {
      metrics.request("r", "X-" + i, 200, 1_000_000);
    }

    assertThat(registry.find("portcullis_requests").counters()).hasSize(3);
    assertThat(count("GET", "200")).isEqualTo(2);
    assertThat(count("GET", "503")).isEqualTo(1);
    assertThat(count("_OTHER", "200")).isEqualTo(50);
    Timer duration = registry.get("portcullis_request_duration").tag("route", "r").timer();
    assertThat(duration.count()).isEqualTo(53);
    assertThat(duration.takeSnapshot().histogramCounts()).hasSize(15);
  }

  private double count(String method, String status) {
    Counter counter = registry.get("portcullis_requests").tag("route", "r").tag("method", method).tag("status", status)
        .counter();
    return counter.count();
  }

  @Test
  void anAttemptIsTimedOnlyWhenItGotAResponseHead() {
    metrics.attempt("u", Outcome.connectFailure());
    metrics.attempt("u", Outcome.reset(), -1);
    metrics.attempt("u", Outcome.response(200), TimeUnit.MILLISECONDS.toNanos(7));
    metrics.attempt("u", Outcome.response(503), TimeUnit.MILLISECONDS.toNanos(3));

    Timer timer = registry.get("portcullis_upstream_request_duration").tag("upstream", "u").timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10.0);
    assertThat(registry.find("portcullis_upstream_attempts").counters()).hasSize(4);
  }

  @Test
  void connectionCountsAreOnePerUpstreamAndReadByTheirGauges() {
    OpenConnections users = metrics.upstreamConnections("users");

    assertThat(metrics.upstreamConnections("users")).isSameAs(users);
    assertThat(metrics.upstreamConnections("orders")).isNotSameAs(users);
    assertThat(registry.get("portcullis_upstream_connections").tag("upstream", "users").gauge().value()).isZero();
    assertThat(registry.get("portcullis_downstream_connections").gauge().value()).isZero();
    assertThat(registry.get("portcullis_build_info").tag("version", BuildInfo.version()).gauge().value()).isEqualTo(1.0);
  }
}
