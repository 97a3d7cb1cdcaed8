package io.portcullis.lifecycle;

import io.portcullis.admission.ConcurrencyLimiter;
import io.portcullis.pipeline.Exchange;
import io.portcullis.pipeline.RouteTarget;
import io.portcullis.config.EffectivePolicy;
import io.portcullis.config.GatewayConfig;
import io.portcullis.edge.ClientAddress;
import io.portcullis.edge.ProxyHeaderRejections;
import io.portcullis.edge.TrustedProxies;
import io.portcullis.http.GatewayError;
import io.portcullis.health.Readiness;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.StoreHealth;
import io.portcullis.latency.UpstreamLatencies;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.EventClock;
import io.portcullis.resilience.Ticker;
import io.portcullis.route.RouteTable;
import io.portcullis.trace.RequestTrace;
import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.EndpointState;
import io.portcullis.upstream.Upstream;
import io.portcullis.upstream.discovery.DiscoveredEndpoints;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The process-wide state every verticle shares: the current {@link RuntimeSnapshot} (configuration,
 * upstreams with their breakers and retry budgets, compiled routes with their call plans, access
 * log) in a volatile field, and what outlives any configuration: metrics, readiness and the count
 * of requests in flight.
 */
public final class GatewayRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);
  private static final Logger EVENTS = LoggerFactory.getLogger("portcullis.events");

  private final Vertx vertx;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final GatewayMetrics metrics;
  private final Readiness readiness = new Readiness();
  private final SnapshotBuilder builder;
  private final DiscoveredEndpoints discovered = new DiscoveredEndpoints();
  /** Held while a snapshot is swapped in: reloads and discovery never install over each other. */
  private final Object swapLock = new Object();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Follower> followers = new CopyOnWriteArrayList<>();
  private final ProxyHeaderRejections proxyHeaderRejections = new ProxyHeaderRejections();
  /** Whether the Redis of cluster rate limits answers, per endpoint configured since start. */
  private final Map<String, StoreHealth> storeHealths = new ConcurrentHashMap<>();
  private volatile RuntimeSnapshot snapshot;
  private volatile int boundPort = -1;

  GatewayRuntime(Vertx vertx, GatewayConfig config, Ticker ticker, Scheduler scheduler, RandomGenerator random,
                 GatewayMetrics metrics, Function<String, String> env) {
    this.vertx = vertx;
    // Read once per event on an event loop (a request head, an upstream response head): the
    // request path's many readings of one event are one (resilience.EventClock).
    ticker = EventClock.over(ticker);
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.builder = new SnapshotBuilder(vertx, ticker, scheduler, random, metrics, GatewayRuntime::onBreakerTransition,
        env, discovered);
    this.snapshot = builder.build(config, null);
    registerCircuitGauges(snapshot);
    refreshLatencies();
    metrics.inFlight(inFlight::get);
    metrics.proxyProtocolRejected(proxyHeaderRejections::rejected);
    metrics.rateLimitStoreErrors(() -> {
      long sum = 0;
      for (StoreHealth health : storeHealths.values()) {
        sum += health.fallbacks();
      }
      return sum;
    });
  }

  /**
   * Refreshes the latency histograms hedging reads every {@link UpstreamLatencies#REFRESH_MS} ms, on
   * a worker thread (a refresh may wait for a recording event loop); nothing while no route hedges
   * after a percentile. While a histogram holds too few samples for a percentile, it is also filled
   * every {@link UpstreamLatencies#FILL_MS} ms in between, so that hedging starts after the first
   * answers rather than at the next refresh.
   */
  private void refreshLatencies() {
    UpstreamLatencies latencies = builder.latencies();
    int fillsBetweenRefreshes = (int) (UpstreamLatencies.REFRESH_MS / UpstreamLatencies.FILL_MS) - 1;
    vertx.setPeriodic(UpstreamLatencies.REFRESH_MS, id -> {
      if (!latencies.isEmpty()) {
        vertx.executeBlocking(() -> {
          latencies.refreshAll();
          return latencies.anyWarming();
        }, true).onSuccess(warming -> {
          if (warming) {
            fillLatencies(latencies, fillsBetweenRefreshes);
          }
        }).onFailure(err -> LOG.error("the upstream latency histograms could not be refreshed", err));
      }
    });
  }

  /** Fills the warming histograms every {@link UpstreamLatencies#FILL_MS} ms, {@code left} more times at most. */
  private void fillLatencies(UpstreamLatencies latencies, int left) {
    if (left <= 0) {
      return;
    }
    vertx.setTimer(UpstreamLatencies.FILL_MS, t -> vertx.executeBlocking(latencies::fillWarming, true)
        .onSuccess(warming -> {
          if (warming) {
            fillLatencies(latencies, left - 1);
          }
        })
        .onFailure(err -> LOG.error("the upstream latency histograms could not be filled", err)));
  }

  /** The main listener's exception handler with {@code server.proxyProtocol}: one per process. */
  ProxyHeaderRejections proxyHeaderRejections() {
    return proxyHeaderRejections;
  }

  /**
   * The health of the Redis at {@code endpoint}, shared by every event loop's store of it (one
   * warning per outage for the whole process).
   */
  StoreHealth storeHealth(String endpoint) {
    return storeHealths.computeIfAbsent(endpoint, e -> new StoreHealth(e, ticker));
  }

  /**
   * Something that follows the current snapshot (a verticle with per-configuration state of its
   * own), told after each swap.
   */
  interface Follower {

    /** Adopts {@code snapshot}; completes once done (on the follower's own event loop). Never fails. */
    Future<Void> adopt(RuntimeSnapshot snapshot);
  }

  /** Tells {@code follower} of every later swap. */
  void follow(Follower follower) {
    followers.add(follower);
  }

  /** Stops telling {@code follower}. */
  void unfollow(Follower follower) {
    followers.remove(follower);
  }

  /**
   * Builds the snapshot of {@code config} over the current one (keeping the state of what did
   * not change) without making it visible. Reloads are serialized; if DNS discovery installs a
   * snapshot meanwhile, {@link #install} builds this one again over it.
   */
  RuntimeSnapshot prepare(GatewayConfig config) {
    return builder.build(config, snapshot);
  }

  /** The addresses DNS discovery found, which every snapshot build reads. */
  DiscoveredEndpoints discovered() {
    return discovered;
  }

  /**
   * Builds and installs the current configuration again with the endpoints DNS discovery knows
   * now (README "Configuration reference", {@code upstreams.NAME.discovery}), as a reload does:
   * off the event loops, every follower (health checks included) told. Requests in flight keep
   * their endpoints to their end. Never fails (a failure is logged).
   */
  Future<Void> refresh() {
    return vertx.executeBlocking(() -> {
      RuntimeSnapshot base = snapshot;
      return builder.build(base.config(), base, base.tracing());
    }, false).compose(this::install).recover(err -> {
      LOG.error("the endpoints DNS discovery found could not be applied", err);
      return Future.succeededFuture();
    });
  }

  /**
   * Makes {@code next} the current snapshot in one volatile write: requests that started before
   * finish on theirs, later ones see {@code next}. Completes once every follower has adopted it.
   * A snapshot prepared over one that is no longer current (DNS discovery installed another
   * meanwhile) is built again over the current one first, so no discovered endpoint is lost.
   */
  Future<Void> install(RuntimeSnapshot prepared) {
    RuntimeSnapshot previous;
    RuntimeSnapshot next;
    synchronized (swapLock) {
      previous = snapshot;
      next = prepared.generation() == previous.generation() + 1 ? prepared
          : builder.build(prepared.config(), previous, prepared.tracing());
      snapshot = next;
    }
    // New export settings: the old exporter sends what it has queued, then stops.
    previous.tracing().handOver(next.tracing(), Gateway.TRACE_FLUSH_MS);
    registerCircuitGauges(next);
    metrics.retainCircuitStates((upstream, endpoint) -> {
      Upstream u = next.upstreams().get(upstream);
      if (u == null) {
        return false;
      }
      for (EndpointState state : u.endpoints()) {
        if (state.address().toString().equals(endpoint)) {
          return true;
        }
      }
      return false;
    });
    List<Future<Void>> adopted = new ArrayList<>();
    for (Follower follower : followers) {
      adopted.add(follower.adopt(next));
    }
    return Future.join(adopted).mapEmpty();
  }

  private void registerCircuitGauges(RuntimeSnapshot snap) {
    for (Upstream u : snap.upstreams().values()) {
      // The limiter of this snapshot's upstream: the gauges read the one requests use.
      ConcurrencyLimiter limiter = u.limiter();
      metrics.concurrency(u.name(), limiter.mode() != ConcurrencyLimiter.Mode.OFF,
          limiter::limit, limiter::inFlight);
      metrics.retries(u.name());
    }
    metrics.retainConcurrency(snap.upstreams()::containsKey);
    for (Upstream u : snap.upstreams().values()) {
      Upstream.BreakerSet set = u.defaultBreakers();
      for (int i = 0; i < set.size(); i++) {
        int index = i;
        // Routes' own breakers for the endpoint count too (README "Metrics").
        metrics.circuitState(u.name(), set.breaker(i).endpoint(), () -> u.circuitState(index).gaugeValue());
      }
    }
  }

  private static void onBreakerTransition(EndpointBreaker breaker, EndpointBreaker.State to) {
    EVENTS.info("circuit breaker {} {} -> {}", breaker.upstream(), breaker.endpoint(),
        to.name().toLowerCase().replace('_', '-'));
  }

  /**
   * The current snapshot. A request reads it once, at its start, and uses that one to its end.
   */
  public RuntimeSnapshot snapshot() {
    return snapshot;
  }

  /** The current configuration. */
  public GatewayConfig config() {
    return snapshot.config();
  }

  /** The monotonic ticker. */
  public Ticker ticker() {
    return ticker;
  }

  /** The timers (deadlines, backoff, breakers, drain). */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The gateway's meters. */
  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Lifecycle phase and readiness. */
  public Readiness readiness() {
    return readiness;
  }

  /** The current upstreams by name. */
  public Map<String, Upstream> upstreams() {
    return snapshot.upstreams();
  }

  /** The current compiled routes. */
  RouteTable<RouteTarget> routes() {
    return snapshot.routes();
  }

  /** Current effective policy per route and upstream, after defaults and overrides. */
  public Map<String, Map<String, EffectivePolicy>> effectivePolicies() {
    return snapshot.effectivePolicies();
  }

  /** Client requests now in flight. */
  public int inFlight() {
    return inFlight.get();
  }

  void requestStarted() {
    inFlight.incrementAndGet();
  }

  void requestFinished() {
    inFlight.decrementAndGet();
  }

  void boundPort(int port) {
    if (boundPort < 0) {
      boundPort = port;
    }
  }

  /** The port the main server listens on. */
  public int boundPort() {
    return boundPort;
  }

  /**
   * Records a request the request path finished with {@code status}: counters, duration
   * histogram, access log, the gateway's span.
   */
  void finished(Exchange exchange, int status) {
    long nanos = ticker.nanos() - exchange.startNanos();
    String method = exchange.request().method().name();
    metrics.request(exchange.route(), method, status, nanos);
    AccessLog accessLog = snapshot.accessLog();
    RequestTrace trace = exchange.trace();
    if (accessLog.enabled()) {
      HttpServerRequest request = exchange.request();
      GatewayError error = exchange.error();
      // Body bytes as Vert.x already counts them (README "The access-log line"): no handler per chunk.
      accessLog.log(exchange.requestId(), method, exchange.path(), exchange.route(), status, nanos / 1_000_000L,
          exchange.upstream(), exchange.endpoint(), exchange.attempts(), exchange.clientAddress(),
          request.bytesRead(), request.response().bytesWritten(), error == null ? null : error.code(),
          trace == null ? 0 : trace.traceIdHigh(), trace == null ? 0 : trace.traceIdLow());
    }
    if (trace != null) {
      trace.finish(method, exchange.route(), exchange.path(), status);
    }
  }

  /**
   * Records a request refused before the request path (the decoder could not read it) with the
   * gateway's {@code error}: counters, duration histogram, access log, the gateway's span.
   */
  void refused(HttpServerRequest request, String requestId, String method, String path, GatewayError error,
               long startNanos, RequestTrace trace) {
    long nanos = ticker.nanos() - startNanos;
    metrics.request(null, method, error.status(), nanos);
    AccessLog accessLog = snapshot.accessLog();
    if (accessLog.enabled()) {
      String clientIp = ClientAddress.of(request, TrustedProxies.of(config().server().trustedProxies()));
      accessLog.log(requestId, method, path, null, error.status(), nanos / 1_000_000L, null, null, 0, clientIp,
          request.bytesRead(), request.response().bytesWritten(), error.code(),
          trace == null ? 0 : trace.traceIdHigh(), trace == null ? 0 : trace.traceIdLow());
    }
    if (trace != null) {
      trace.finish(method, null, path, error.status());
    }
  }

  static Logger log() {
    return LOG;
  }
}
