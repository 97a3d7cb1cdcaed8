package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's own meters (CONTRACT §6). Each labelled meter is looked up once and cached, so
 * the request path pays a map lookup, not a registry lookup.
 */
public final class GatewayMetrics {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  /** Meters registered in {@code registry}. */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The registry (for the scrape endpoint). */
  public MeterRegistry registry() {
    return registry;
  }

  /** One client request finished with {@code status} after {@code nanos}. */
  public void request(String route, int status, long nanos) {
    String r = route == null ? "" : route;
    counters.computeIfAbsent("req\0" + r + "\0" + status, k -> Counter.builder("portcullis_requests")
        .description("Client requests by route and status")
        .tag("route", r).tag("status", Integer.toString(status))
        .register(registry)).increment();
    timers.computeIfAbsent(r, k -> Timer.builder("portcullis_request_duration")
        .description("Client request duration")
        .tag("route", r)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One upstream attempt ended with {@code outcome} (a status or a failure label). */
  public void attempt(String upstream, String outcome) {
    counters.computeIfAbsent("att\0" + upstream + "\0" + outcome, k -> Counter.builder("portcullis_upstream_attempts")
        .description("Upstream attempts by outcome")
        .tag("upstream", upstream).tag("outcome", outcome)
        .register(registry)).increment();
  }

  /** One retry was started. */
  public void retry(String upstream) {
    counters.computeIfAbsent("rty\0" + upstream, k -> Counter.builder("portcullis_retries")
        .description("Retries started")
        .tag("upstream", upstream)
        .register(registry)).increment();
  }

  /** The retry operator stopped for {@code reason} (every "no retry" decision is counted). */
  public void retryStopped(String upstream, String reason) {
    counters.computeIfAbsent("stp\0" + upstream + "\0" + reason, k -> Counter.builder("portcullis_retry_stops")
        .description("Decisions not to retry, by reason")
        .tag("upstream", upstream).tag("reason", reason)
        .register(registry)).increment();
  }

  /** Registers the circuit-state gauge of one endpoint (0 closed, 1 open, 2 half-open). */
  public void circuitState(String upstream, String endpoint, Supplier<Number> state) {
    Gauge.builder("portcullis_circuit_state", state)
        .description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
        .tag("upstream", upstream).tag("endpoint", endpoint)
        .register(registry);
  }

  /** Registers a gauge of requests in flight through the gateway. */
  public void inFlight(Supplier<Number> value) {
    Gauge.builder("portcullis_requests_in_flight", value)
        .description("Client requests in flight")
        .register(registry);
  }
}
