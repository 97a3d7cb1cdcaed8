package io.portcullis.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RouteConfig;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The JSON of {@code GET /admin/stats}: counters for the dashboard to turn into rates, read from
 * the gateway's meters (the same figures {@code /metrics} shows) for the upstreams and routes of
 * the running configuration. Counts are totals since start; the page divides the difference of
 * two readings by the difference of their {@code uptimeMs}.
 *
 * <pre>
 * {"uptimeMs": 81234, "requestsInFlight": 3,
 *  "upstreams": {"users": {"requests": 1200, "errors": 4, "retries": 9,
 *                          "hedges": 2, "shed": 0, "inFlight": 3, "concurrencyLimit": 40}},
 *  "routes": {"users": {"requests": 1180, "errors": 4}}}
 * </pre>
 *
 * Per upstream, {@code requests} counts every attempt sent (retries and hedges included; not the
 * ones a breaker refused), {@code errors} those that got no response (connect failure, reset,
 * per-try timeout) or a 5xx; an attempt cancelled by its request (deadline, client gone, a hedge
 * that lost) is no error. {@code retries} counts retries started. {@code hedges} (hedges
 * started), {@code shed} (requests refused by the concurrency limit), {@code inFlight} and
 * {@code concurrencyLimit} are present only once the gateway has the meters
 * ({@code portcullis_hedges_total}, {@code portcullis_shed_total},
 * {@code portcullis_concurrency_inflight}, {@code portcullis_concurrency_limit}); the page shows a
 * field it does not get as "–". {@code latencyP50Ms} and {@code latencyP99Ms} are the median and
 * 99th percentile of the upstream's time to response head over about the last minute
 * ({@link LatencyWindow}, from {@code portcullis_upstream_request_duration_seconds}), present once
 * an attempt got a response head in that time. Per route, {@code requests} counts answered requests and
 * {@code errors} the 5xx among them.
 */
final class StatsView {

  static final String ATTEMPTS = "portcullis_upstream_attempts";
  static final String RETRIES = "portcullis_retries";
  static final String HEDGES = "portcullis_hedges";
  static final String SHED = "portcullis_shed";
  static final String CONCURRENCY_LIMIT = "portcullis_concurrency_limit";
  static final String CONCURRENCY_INFLIGHT = "portcullis_concurrency_inflight";
  static final String REQUESTS = "portcullis_requests";
  static final String REQUESTS_IN_FLIGHT = "portcullis_requests_in_flight";
  static final String UPSTREAM_DURATION = "portcullis_upstream_request_duration";

  private final MeterRegistry registry;
  private final Supplier<GatewayConfig> config;
  private final LongSupplier nanos;
  private final long startNanos;
  private final LatencyWindow latency = new LatencyWindow();

  /**
   * @param registry the gateway's meters
   * @param config the running configuration (its upstreams and routes are listed, in order)
   * @param nanos a monotonic clock in nanoseconds; {@code uptimeMs} counts from this call
   */
  StatsView(MeterRegistry registry, Supplier<GatewayConfig> config, LongSupplier nanos) {
    this.registry = registry;
    this.config = config;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
  }

  /** The current reading (one caller at a time: the admin event loop). */
  synchronized JsonObject toJson() {
    GatewayConfig running = config.get();
    Map<String, JsonObject> upstreams = new LinkedHashMap<>();
    for (String name : running.upstreams().keySet()) {
      upstreams.put(name, new JsonObject().put("requests", 0L).put("errors", 0L).put("retries", 0L));
    }
    for (Meter meter : meters(ATTEMPTS)) {
      JsonObject entry = upstreams.get(meter.getId().getTag("upstream"));
      String outcome = meter.getId().getTag("outcome");
      if (entry == null || outcome == null || outcome.equals("circuit-open") || !(meter instanceof Counter c)) {
        continue;
      }
      long count = (long) c.count();
      add(entry, "requests", count);
      if (isError(outcome)) {
        add(entry, "errors", count);
      }
    }
    sumInto(upstreams, RETRIES, "retries");
    sumInto(upstreams, HEDGES, "hedges");
    sumInto(upstreams, SHED, "shed");
    gaugeInto(upstreams, CONCURRENCY_INFLIGHT, "inFlight");
    gaugeInto(upstreams, CONCURRENCY_LIMIT, "concurrencyLimit");
    latencyInto(upstreams);

    Map<String, JsonObject> routes = new LinkedHashMap<>();
    for (RouteConfig route : running.routes()) {
      routes.put(route.name(), new JsonObject().put("requests", 0L).put("errors", 0L));
    }
    for (Meter meter : meters(REQUESTS)) {
      JsonObject entry = routes.get(meter.getId().getTag("route"));
      String status = meter.getId().getTag("status");
      if (entry == null || status == null || !(meter instanceof Counter c)) {
        continue;
      }
      long count = (long) c.count();
      add(entry, "requests", count);
      if (status.length() == 3 && status.charAt(0) == '5') {
        add(entry, "errors", count);
      }
    }

    JsonObject body = new JsonObject().put("uptimeMs", (nanos.getAsLong() - startNanos) / 1_000_000L);
    Gauge inFlight = registry.find(REQUESTS_IN_FLIGHT).gauge();
    if (inFlight != null) {
      body.put("requestsInFlight", (long) inFlight.value());
    }
    JsonObject upstreamJson = new JsonObject();
    upstreams.forEach(upstreamJson::put);
    JsonObject routeJson = new JsonObject();
    routes.forEach(routeJson::put);
    return body.put("upstreams", upstreamJson).put("routes", routeJson);
  }

  private void latencyInto(Map<String, JsonObject> upstreams) {
    long now = nanos.getAsLong();
    Map<String, Timer> histograms = new HashMap<>();
    for (Timer timer : registry.find(UPSTREAM_DURATION).timers()) {
      histograms.put(timer.getId().getTag("upstream"), timer);
    }
    upstreams.forEach((upstream, entry) -> {
      LatencyWindow.Quantiles q = latency.quantiles(upstream, histograms.get(upstream), now);
      if (q != null) {
        entry.put("latencyP50Ms", roundedMs(q.p50Ms())).put("latencyP99Ms", roundedMs(q.p99Ms()));
      }
    });
    latency.retain(upstreams.keySet());
  }

  private static double roundedMs(double ms) {
    return Math.round(ms * 10) / 10.0;
  }

  /** An attempt outcome label that counts as an error: no response, or a 5xx. */
  static boolean isError(String outcome) {
    switch (outcome) {
      case "connect-failure":
      case "reset":
      case "per-try-timeout":
      case "other":
        return true;
      default:
        return outcome.length() == 3 && outcome.charAt(0) == '5';
    }
  }

  /** Adds each upstream's counters named {@code meter} into its {@code field} (created at the first one). */
  private void sumInto(Map<String, JsonObject> upstreams, String meter, String field) {
    for (Meter m : meters(meter)) {
      JsonObject entry = upstreams.get(m.getId().getTag("upstream"));
      if (entry != null && m instanceof Counter c) {
        add(entry, field, (long) c.count());
      }
    }
  }

  private void gaugeInto(Map<String, JsonObject> upstreams, String meter, String field) {
    for (Meter m : meters(meter)) {
      JsonObject entry = upstreams.get(m.getId().getTag("upstream"));
      if (entry != null && m instanceof Gauge g && !Double.isNaN(g.value())) {
        entry.put(field, (long) g.value());
      }
    }
  }

  /** The meters named {@code name} (or {@code name_total}, as a Prometheus counter may be registered). */
  private List<Meter> meters(String name) {
    List<Meter> found = new ArrayList<>(registry.find(name).meters());
    found.addAll(registry.find(name + "_total").meters());
    return found;
  }

  private static void add(JsonObject entry, String field, long count) {
    Long before = entry.getLong(field);
    entry.put(field, (before == null ? 0L : before) + count);
  }
}
