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
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The gateway's own meters (README "Metrics"). Each labelled meter is looked up once and cached, so
 * the request path pays a map lookup, not a registry lookup. Names and units follow the Prometheus
 * conventions: counters end in {@code _total}, durations are histograms in seconds.
 */
public final class GatewayMetrics {

  /**
   * The buckets of every duration histogram, from 1 ms to 60 s: fine where an API answers, coarse
   * past a second, and few (15 and {@code +Inf}) so that each route and upstream costs little to
   * keep and to scrape.
   */
  static final Duration[] DURATION_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2).plusNanos(500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UpstreamMeters> upstreams = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<List<String>, CircuitGauge> circuitGauges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, OpenConnections> upstreamConnections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> shedCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrencyGauges> concurrencyGauges = new ConcurrentHashMap<>();
  private final OpenConnections downstreamConnections = new OpenConnections();
  private final Counter reloadSuccesses;
  private final Counter reloadFailures;
  /** The sources of function counters: the registry holds them weakly, so they are held here. */
  private final List<LongSupplier> counterSources = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Meters registered in {@code registry}, with {@code portcullis_build_info} for this build. */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.reloadSuccesses = reloadCounter("success");
    this.reloadFailures = reloadCounter("failure");
    BuildInfo.register(registry);
    FunctionCounter.builder("portcullis_access_log_dropped", AccessLogAppender.class, a -> AccessLogAppender.droppedLines())
        .description("Access-log lines dropped because stdout could not keep up")
        .register(registry);
    Gauge.builder("portcullis_downstream_connections", downstreamConnections, OpenConnections::count)
        .description("Client connections open on the main listener (HTTP/1.x and HTTP/2)")
        .strongReference(true)
        .register(registry);
  }

  /** The registry (for the scrape endpoint). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * One client request with method {@code method} finished with {@code status} after
   * {@code nanos}. The method label is one of {@link MethodLabel}'s, so a client cannot grow the
   * label space.
   */
  public void request(String route, String method, int status, long nanos) {
    String r = route == null ? "" : route;
    RouteMeters meters = routes.get(r);
    if (meters == null) {
      meters = routes.computeIfAbsent(r, RouteMeters::new);
    }
    meters.count(MethodLabel.index(method), status);
    meters.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One upstream attempt ended with {@code outcome}; no response head, so no duration. */
  public void attempt(String upstream, Outcome outcome) {
    attempt(upstream, outcome, -1);
  }

  /**
   * One upstream attempt ended with {@code outcome}; {@code headNanos} is the time from its start
   * to its response head, or negative when it got none (it is then counted, not timed).
   */
  public void attempt(String upstream, Outcome outcome, long headNanos) {
    UpstreamMeters meters = upstreams.get(upstream);
    if (meters == null) {
      meters = upstreams.computeIfAbsent(upstream, UpstreamMeters::new);
    }
    meters.attempt(outcome);
    if (headNanos >= 0) {
      meters.duration.record(headNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A duration histogram with the {@link #DURATION_BUCKETS}. */
  private Timer durationHistogram(String name, String description, String tag, String value) {
    return Timer.builder(name)
        .description(description)
        .tag(tag, value)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  /**
   * Meters of one route: a counter per method and status (created on first use) and the duration
   * histogram.
   */
  private final class RouteMeters {
    private final String route;
    private final AtomicReferenceArray<AtomicReferenceArray<Counter>> byMethod =
        new AtomicReferenceArray<>(MethodLabel.count());
    private final Timer duration;

    RouteMeters(String route) {
      this.route = route;
      this.duration = durationHistogram("portcullis_request_duration", "Client request duration", "route", route);
    }

    void count(int method, int status) {
      AtomicReferenceArray<Counter> byStatus = byMethod.get(method);
      if (byStatus == null) {
        byMethod.compareAndSet(method, null, new AtomicReferenceArray<>(1000));
        byStatus = byMethod.get(method);
      }
      int index = status >= 0 && status < 1000 ? status : 0;
      Counter counter = byStatus.get(index);
      if (counter == null) {
        counter = Counter.builder("portcullis_requests")
            .description("Client requests by route, method and status")
            .tag("route", route).tag("method", MethodLabel.name(method)).tag("status", Integer.toString(status))
            .register(registry);
        byStatus.compareAndSet(index, null, counter);
      }
      counter.increment();
    }
  }

  /** Attempt counters of one upstream, by outcome label, and its time-to-response-head histogram. */
  private final class UpstreamMeters {
    private final String upstream;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(1000);
    private final ConcurrentHashMap<Outcome.Kind, Counter> byKind = new ConcurrentHashMap<>();
    private final Timer duration;

    UpstreamMeters(String upstream) {
      this.upstream = upstream;
      this.duration = durationHistogram("portcullis_upstream_request_duration",
          "Time from the start of an upstream attempt to its response head", "upstream", upstream);
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
    retries(upstream).increment();
  }

  /**
   * The counter of retries started for {@code upstream} ({@code portcullis_retries_total{upstream}});
   * registering it when the upstream is set up makes it show 0 before the first retry, as Prometheus
   * counters with a known label set should. Asking again gives the same counter.
   */
  public Counter retries(String upstream) {
    return counters.computeIfAbsent("rty\0" + upstream, k -> Counter.builder("portcullis_retries")
        .description("Retries started")
        .tag("upstream", upstream)
        .register(registry));
  }

  /**
   * The counter of hedged attempts of {@code upstream} that won (their answer was forwarded) or
   * lost ({@code portcullis_hedges_total{upstream,result}}, README "Hedged requests"); registered on
   * first request, so it shows 0 before the first hedge. Asking again gives the same counter.
   */
  public Counter hedges(String upstream, boolean won) {
    String result = won ? "won" : "lost";
    return counters.computeIfAbsent("hdg\0" + upstream + "\0" + result, k -> Counter.builder("portcullis_hedges")
        .description("Hedged attempts by result: won (its answer was forwarded) or lost")
        .tag("upstream", upstream).tag("result", result)
        .register(registry));
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

  /**
   * One request to {@code upstream} was shed ({@code portcullis_shed_total{upstream}}): its
   * concurrency limit was reached, or its connection pool's wait queue was full.
   */
  public void shed(String upstream) {
    Counter counter = shedCounters.get(upstream);
    (counter != null ? counter : shedCounter(upstream)).increment();
  }

  private Counter shedCounter(String upstream) {
    return shedCounters.computeIfAbsent(upstream, name -> Counter.builder("portcullis_shed")
        .description("Requests answered 503 overloaded: the upstream's concurrency limit was reached or its"
            + " connection pool's wait queue was full")
        .tag("upstream", name)
        .register(registry));
  }

  /**
   * Registers the meters of {@code upstream}'s concurrency limit (README "Overload: concurrency
   * limits"): {@code portcullis_shed_total{upstream}} from 0, and, when a limit applies ({@code
   * limited}), the gauges {@code portcullis_concurrency_limit{upstream}} and {@code
   * portcullis_concurrency_inflight{upstream}}, read from {@code limit} and {@code inFlight} at
   * each scrape. Called again after a reload, the gauges read the new sources; with no limit any
   * more ({@code limited} false) they are removed.
   */
  public void concurrency(String upstream, boolean limited, IntSupplier limit, IntSupplier inFlight) {
    shedCounter(upstream);
    concurrencyGauges.compute(upstream, (name, existing) -> {
      if (!limited) {
        if (existing != null) {
          registry.remove(existing.limitGauge);
          registry.remove(existing.inFlightGauge);
        }
        return null;
      }
      if (existing != null) {
        existing.limit = limit;
        existing.inFlight = inFlight;
        return existing;
      }
      ConcurrencyGauges created = new ConcurrencyGauges(limit, inFlight);
      created.limitGauge = Gauge.builder("portcullis_concurrency_limit", created, g -> g.limit.getAsInt())
          .description("Requests allowed in flight to the upstream now, process-wide")
          .tag("upstream", name)
          .strongReference(true)
          .register(registry);
      created.inFlightGauge = Gauge.builder("portcullis_concurrency_inflight", created, g -> g.inFlight.getAsInt())
          .description("Requests in flight to the upstream under its concurrency limit, process-wide")
          .tag("upstream", name)
          .strongReference(true)
          .register(registry);
      return created;
    });
  }

  /** Removes the concurrency meters of upstreams for which {@code keep} is false. */
  public void retainConcurrency(java.util.function.Predicate<String> keep) {
    concurrencyGauges.entrySet().removeIf(e -> {
      if (keep.test(e.getKey())) {
        return false;
      }
      registry.remove(e.getValue().limitGauge);
      registry.remove(e.getValue().inFlightGauge);
      return true;
    });
  }

  /** The concurrency gauges of one upstream, re-pointable to a reloaded upstream's limiter. */
  private static final class ConcurrencyGauges {
    private volatile IntSupplier limit;
    private volatile IntSupplier inFlight;
    private Gauge limitGauge;
    private Gauge inFlightGauge;

    ConcurrencyGauges(IntSupplier limit, IntSupplier inFlight) {
      this.limit = limit;
      this.inFlight = inFlight;
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

  /**
   * The open-connection count of the main listener ({@code portcullis_downstream_connections}):
   * give it every connection the listener accepts.
   */
  public OpenConnections downstreamConnections() {
    return downstreamConnections;
  }

  /**
   * The open-connection count of {@code upstream} over every event loop
   * ({@code portcullis_upstream_connections{upstream}}): give it every connection an HTTP client of
   * that upstream opens. Asking again for the same upstream gives the same count.
   */
  public OpenConnections upstreamConnections(String upstream) {
    OpenConnections count = upstreamConnections.get(upstream);
    return count != null ? count : upstreamConnections.computeIfAbsent(upstream, name -> {
      OpenConnections created = new OpenConnections();
      Gauge.builder("portcullis_upstream_connections", created, OpenConnections::count)
          .description("Connections open to the upstream, over every event loop")
          .tag("upstream", name)
          .strongReference(true)
          .register(registry);
      return created;
    });
  }

  /**
   * Registers the meters of the main listener's certificate: the expiry of the certificate served
   * now ({@code notAfterEpochSeconds}, read at each scrape) and the reload counters, both results
   * from 0.
   */
  public void listenerCertificate(Supplier<Number> notAfterEpochSeconds) {
    Gauge.builder("portcullis_tls_certificate_expiration_timestamp_seconds", notAfterEpochSeconds)
        .description("When the certificate the main listener serves expires (Unix time)")
        .strongReference(true)
        .register(registry);
    certificateReloadCounter("success");
    certificateReloadCounter("failure");
  }

  /** One reload of the main listener's certificate applied a new one ({@code success}) or was refused. */
  public void certificateReload(boolean success) {
    certificateReloadCounter(success ? "success" : "failure").increment();
  }

  private Counter certificateReloadCounter(String result) {
    return counters.computeIfAbsent("tls\0" + result, k -> Counter.builder("portcullis_tls_certificate_reloads")
        .description("Reloads of the main listener's certificate by result")
        .tag("result", result)
        .register(registry));
  }

  /** Registers a gauge of requests in flight through the gateway. */
  public void inFlight(Supplier<Number> value) {
    Gauge.builder("portcullis_requests_in_flight", value)
        .description("Client requests in flight")
        .register(registry);
  }

  /**
   * Registers {@code portcullis_proxy_protocol_rejected_total}: main-port connections closed because
   * their PROXY protocol header was missing or malformed ({@code server.proxyProtocol}).
   */
  public void proxyProtocolRejected(LongSupplier total) {
    counterSources.add(total);
    FunctionCounter.builder("portcullis_proxy_protocol_rejected", total, LongSupplier::getAsLong)
        .description("Connections closed for a missing or malformed PROXY protocol header")
        .register(registry);
  }

  /**
   * Registers {@code portcullis_rate_limit_store_errors_total}: cluster rate-limit decisions made by
   * the local bucket because Redis did not decide (down, too slow, an error or a bad answer).
   */
  public void rateLimitStoreErrors(LongSupplier total) {
    counterSources.add(total);
    FunctionCounter.builder("portcullis_rate_limit_store_errors", total, LongSupplier::getAsLong)
        .description("Cluster rate-limit decisions made locally because Redis did not decide")
        .register(registry);
  }
}
