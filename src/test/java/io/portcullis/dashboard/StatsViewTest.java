package io.portcullis.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.config.GatewayConfig;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.Outcome;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The counters of {@code /admin/stats}, read from the gateway's own meters with an injected clock. */
class StatsViewTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

  private static GatewayConfig config() throws Exception {
    return ConfigFiles.parse("{\"upstreams\":{"
        + "\"users\":{\"endpoints\":[\"http://127.0.0.1:9001\"]},"
        + "\"orders\":{\"endpoints\":[\"http://127.0.0.1:9002\"]}},"
        + "\"routes\":[{\"name\":\"users\",\"match\":{\"pathPrefix\":\"/users\"},\"upstream\":\"users\"},"
        + "{\"name\":\"orders\",\"match\":{\"pathPrefix\":\"/orders\"},\"upstream\":\"orders\"}]}", name -> null);
  }

  private StatsView view() throws Exception {
    GatewayConfig config = config();
    return new StatsView(registry, () -> config, nanos::get);
  }

  @Test
  void countsAttemptsErrorsAndRetriesPerUpstreamAndRequestsPerRoute() throws Exception {
    StatsView view = view();
    for (int i = 0; i < 5; i++) {
      metrics.attempt("users", Outcome.response(200));
    }
    metrics.attempt("users", Outcome.response(503));
    metrics.attempt("users", Outcome.response(404));
    metrics.attempt("users", Outcome.connectFailure());
    metrics.attempt("users", Outcome.reset());
    metrics.attempt("users", Outcome.perTryTimeout());
    metrics.attempt("users", Outcome.cancelled());
    metrics.attempt("users", Outcome.circuitOpen());
    metrics.retry("users");
    metrics.retry("users");
    metrics.request("users", "GET", 200, 1_000);
    metrics.request("users", "GET", 502, 1_000);
    metrics.request("users", "GET", 404, 1_000);
    metrics.request(null, "GET", 404, 1_000);
    nanos.addAndGet(1_500_000_000L);

    JsonObject json = view.toJson();

    assertThat(json.getLong("uptimeMs")).isEqualTo(1_500);
    assertThat(json.getJsonObject("upstreams").getJsonObject("users")).isEqualTo(new JsonObject()
        .put("requests", 11L).put("errors", 4L).put("retries", 2L));
    assertThat(json.getJsonObject("upstreams").getJsonObject("orders")).isEqualTo(new JsonObject()
        .put("requests", 0L).put("errors", 0L).put("retries", 0L));
    assertThat(json.getJsonObject("routes")).isEqualTo(new JsonObject()
        .put("users", new JsonObject().put("requests", 3L).put("errors", 1L))
        .put("orders", new JsonObject().put("requests", 0L).put("errors", 0L)));
    assertThat(json.containsKey("requestsInFlight")).isFalse();
  }

  @Test
  void overloadFiguresAppearOnceTheirMetersExist() throws Exception {
    StatsView view = view();
    JsonObject before = view.toJson().getJsonObject("upstreams").getJsonObject("users");
    assertThat(before.fieldNames()).containsExactlyInAnyOrder("requests", "errors", "retries");

    Counter.builder("portcullis_hedges").tag("upstream", "users").tag("result", "won").register(registry).increment(3);
    Counter.builder("portcullis_hedges").tag("upstream", "users").tag("result", "lost").register(registry).increment(2);
    Counter.builder("portcullis_shed").tag("upstream", "users").register(registry).increment(7);
    Gauge.builder("portcullis_concurrency_limit", () -> 40).tag("upstream", "users").register(registry);
    Gauge.builder("portcullis_concurrency_inflight", () -> 12).tag("upstream", "users").register(registry);
    Gauge.builder("portcullis_requests_in_flight", () -> 13).register(registry);

    JsonObject json = view.toJson();
    assertThat(json.getJsonObject("upstreams").getJsonObject("users")).isEqualTo(new JsonObject()
        .put("requests", 0L).put("errors", 0L).put("retries", 0L).put("hedges", 5L).put("shed", 7L)
        .put("inFlight", 12L).put("concurrencyLimit", 40L));
    assertThat(json.getJsonObject("upstreams").getJsonObject("orders").fieldNames())
        .containsExactlyInAnyOrder("requests", "errors", "retries");
    assertThat(json.getLong("requestsInFlight")).isEqualTo(13);
  }

  @Test
  void latencyQuantilesComeFromTheUpstreamHistogramOverTheLastMinute() throws Exception {
    // The gateway's registry is Prometheus: its histograms count cumulatively since start.
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics gatewayMetrics = new GatewayMetrics(prometheus);
    GatewayConfig config = config();
    StatsView view = new StatsView(prometheus, () -> config, nanos::get);
    assertThat(view.toJson().getJsonObject("upstreams").getJsonObject("users").containsKey("latencyP50Ms")).isFalse();

    for (int i = 0; i < 98; i++) {
      gatewayMetrics.attempt("users", Outcome.response(200), 3_000_000L);
    }
    gatewayMetrics.attempt("users", Outcome.response(200), 700_000_000L);
    gatewayMetrics.attempt("users", Outcome.response(200), 700_000_000L);
    gatewayMetrics.attempt("users", Outcome.connectFailure()); // no response head: counted, not timed
    nanos.addAndGet(1_000_000_000L);
    JsonObject users = view.toJson().getJsonObject("upstreams").getJsonObject("users");

    // As histogram_quantile: p50 falls in (2.5 ms, 5 ms], 50 of its 98; p99 in (500 ms, 1 s], 1 of its 2.
    assertThat(users.getDouble("latencyP50Ms")).isEqualTo(3.8);
    assertThat(users.getDouble("latencyP99Ms")).isEqualTo(750.0);
    assertThat(view.toJson().getJsonObject("upstreams").getJsonObject("orders").containsKey("latencyP50Ms")).isFalse();

    nanos.addAndGet(61_000_000_000L);
    assertThat(view.toJson().getJsonObject("upstreams").getJsonObject("users").containsKey("latencyP50Ms"))
        .as("nothing in the last minute").isFalse();
    for (int i = 0; i < 10; i++) {
      gatewayMetrics.attempt("users", Outcome.response(200), 40_000_000L);
    }
    nanos.addAndGet(1_000_000_000L);
    assertThat(view.toJson().getJsonObject("upstreams").getJsonObject("users").getDouble("latencyP50Ms")).isEqualTo(37.5);
  }

  @Test
  void anUpstreamOrRouteNoLongerConfiguredIsNotListed() throws Exception {
    metrics.attempt("gone", Outcome.response(200));
    metrics.request("gone", "GET", 200, 1);
    JsonObject json = view().toJson();

    assertThat(json.getJsonObject("upstreams").fieldNames()).containsExactly("users", "orders");
    assertThat(json.getJsonObject("routes").fieldNames()).containsExactly("users", "orders");
  }
}
