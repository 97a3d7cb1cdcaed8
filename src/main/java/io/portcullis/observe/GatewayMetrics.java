package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.resilience.Outcome;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * The gateway's own meters (README "Endpoints"). Each labelled meter is looked up once and cached, so
 * the request path pays a map lookup, not a registry lookup.
 */
public final class GatewayMetrics {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UpstreamMeters> upstreams = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<List<String>, CircuitGauge> circuitGauges = new ConcurrentHashMap<>();
  private final Counter reloadSuccesses;
  private final Counter reloadFailures;

  /** Meters registered in {@code registry}. */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reloadSuccesses = reloadCounter("success");
    this.reloadFailures = reloadCounter("failure");
    FunctionCounter.builder("portcullis_access_log_dropped", AccessLogAppender.class, a -> AccessLogAppender.droppedLines())
        .description("Access-log lines dropped because stdout could not keep up")
        .register(registry);
  }

  /** The registry (for the scrape endpoint). */
  public MeterRegistry registry() {
    return registry;
  }

  /** One client request finished with {@code status} after {@code nanos}. */
  public void request(String route, int status, long nanos) {
    String r = route == null ? "" : route;
    RouteMeters meters = routes.get(r);
    if (meters == null) {
      meters = routes.computeIfAbsent(r, RouteMeters::new);
    }
    meters.count(status);
    meters.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One upstream attempt ended with {@code outcome}. */
  public void attempt(String upstream, Outcome outcome) {
    UpstreamMeters meters = upstreams.get(upstream);
    if (meters == null) {
      meters = upstreams.computeIfAbsent(upstream, UpstreamMeters::new);
    }
    meters.attempt(outcome);
  }

  /** Meters of one route: a counter per status (created on first use) and the duration histogram. */
  private final class RouteMeters {
    private final String route;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(1000);
    private final Timer duration;

    RouteMeters(String route) {
      this.route = route;
      this.duration = Timer.builder("portcullis_request_duration")
          .description("Client request duration")
          .tag("route", route)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry);
    }

    void count(int status) {
      int index = status >= 0 && status < 1000 ? status : 0;
      Counter counter = byStatus.get(index);
      if (counter == null) {
        counter = Counter.builder("portcullis_requests")
            .description("Client requests by route and status")
            .tag("route", route).tag("status", Integer.toString(status))
            .register(registry);
        byStatus.compareAndSet(index, null, counter);
      }
      counter.increment();
    }
  }

  /** Attempt counters of one upstream, by outcome label. */
  private final class UpstreamMeters {
    private final String upstream;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(1000);
    private final ConcurrentHashMap<Outcome.Kind, Counter> byKind = new ConcurrentHashMap<>();

    UpstreamMeters(String upstream) {
      this.upstream = upstream;
    }

    void attempt(Outcome outcome) {
      Counter counter;
      if (outcome.kind() == Outcome.Kind.RESPONSE) {
        int index = outcome.status() < 1000 ? outcome.status() : 0;
        counter = byStatus.get(index);
        if (counter == null) {
          counter = counter(outcome.label());
          byStatus.compareAndSet(index, null, counter);
        }
      } else {
        counter = byKind.computeIfAbsent(outcome.kind(), k -> counter(outcome.label()));
      }
      counter.increment();
    }

    private Counter counter(String outcome) {
      return Counter.builder("portcullis_upstream_attempts")
          .description("Upstream attempts by outcome")
          .tag("upstream", upstream).tag("outcome", outcome)
          .register(registry);
    }
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

  /**
   * Registers the circuit-state gauge of one endpoint (0 closed, 1 open, 2 half-open); called
   * again for the same endpoint (after a reload), the gauge reads {@code state} from then on.
   */
  public void circuitState(String upstream, String endpoint, Supplier<Number> state) {
    circuitGauges.compute(List.of(upstream, endpoint), (key, existing) -> {
      if (existing != null) {
        existing.source = state;
        return existing;
      }
      CircuitGauge created = new CircuitGauge(state);
      created.gauge = Gauge.builder("portcullis_circuit_state", created, CircuitGauge::value)
          .description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
          .tag("upstream", upstream).tag("endpoint", endpoint)
          .strongReference(true)
          .register(registry);
      return created;
    });
  }

  /** Removes the circuit-state gauges of endpoints for which {@code keep(upstream, endpoint)} is false. */
  public void retainCircuitStates(BiPredicate<String, String> keep) {
    circuitGauges.entrySet().removeIf(e -> {
      if (keep.test(e.getKey().get(0), e.getKey().get(1))) {
        return false;
      }
      registry.remove(e.getValue().gauge);
      return true;
    });
  }

  /** A circuit-state gauge whose source a reload can re-point to the endpoint's current breaker. */
  private static final class CircuitGauge {
    private volatile Supplier<Number> source;
    private Gauge gauge;

    CircuitGauge(Supplier<Number> source) {
      this.source = source;
    }

    double value() {
      return source.get().doubleValue();
    }
  }

  /** One configuration reload finished, successfully (applied or unchanged) or not. */
  public void configReload(boolean success) {
    (success ? reloadSuccesses : reloadFailures).increment();
  }

  private Counter reloadCounter(String result) {
    return Counter.builder("portcullis_config_reloads")
        .description("Configuration reloads by result")
        .tag("result", result)
        .register(registry);
  }

  /**
   * The counter of requests refused by {@code route}'s rate limit
   * ({@code portcullis_rate_limited_total{route}}), registered now so that it shows 0 before the
   * first refusal. Asking again for the same route gives the same counter.
   */
  public Counter rateLimited(String route) {
    return counters.computeIfAbsent("rl\0" + route, k -> Counter.builder("portcullis_rate_limited")
        .description("Requests refused by the route's rate limit")
        .tag("route", route)
        .register(registry));
  }

  /** Registers a gauge of requests in flight through the gateway. */
  public void inFlight(Supplier<Number> value) {
    Gauge.builder("portcullis_requests_in_flight", value)
        .description("Client requests in flight")
        .register(registry);
  }
}
