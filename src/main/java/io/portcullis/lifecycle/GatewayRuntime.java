package io.portcullis.lifecycle;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.config.AggregateBackendConfig;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RetryConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.health.Readiness;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.proxy.CallPlan;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.resilience.GiveUpReason;
import io.portcullis.resilience.Outcome;
import io.portcullis.resilience.RetryListener;
import io.portcullis.resilience.RetryOperator;
import io.portcullis.resilience.RetryPolicy;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.portcullis.route.PathPattern;
import io.portcullis.route.RouteTable;
import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.Upstream;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The process-wide state every verticle shares: the configuration, the upstreams with their
 * breakers and retry budgets, the compiled routes with their call plans, metrics, access log,
 * readiness and the count of requests in flight.
 */
public final class GatewayRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);
  private static final Logger EVENTS = LoggerFactory.getLogger("portcullis.events");

  /** A random source safe to share across event loops: each call uses the caller thread's generator. */
  static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Ticker ticker;
  private final GatewayMetrics metrics;
  private final AccessLog accessLog;
  private final Readiness readiness = new Readiness();
  private final Map<String, Upstream> upstreams;
  private final RouteTable<RouteTarget> routes;
  private final Map<String, Map<String, Object>> effectivePolicies = new LinkedHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile int boundPort = -1;

  GatewayRuntime(Vertx vertx, GatewayConfig config, Ticker ticker, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.ticker = ticker;
    this.metrics = metrics;
    this.accessLog = new AccessLog(config.accessLog().enabled());
    Map<String, Upstream> built = new LinkedHashMap<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      built.put(u.name(), new Upstream(vertx, u, ticker, THREAD_LOCAL_RANDOM, this::onBreakerTransition));
    }
    this.upstreams = Collections.unmodifiableMap(built);
    for (Upstream u : upstreams.values()) {
      Upstream.BreakerSet set = u.defaultBreakers();
      for (int i = 0; i < set.size(); i++) {
        EndpointBreaker b = set.breaker(i);
        metrics.circuitState(u.name(), b.endpoint(), () -> b.state().gaugeValue());
      }
    }
    metrics.inFlight(inFlight::get);
    this.routes = compileRoutes();
  }

  private RouteTable<RouteTarget> compileRoutes() {
    List<RouteTable.Entry<RouteTarget>> entries = new ArrayList<>();
    for (RouteConfig route : config.routes()) {
      PathPattern pattern = route.match().path().map(PathPattern::exact)
          .orElseGet(() -> PathPattern.prefix(route.match().pathPrefix().orElseThrow()));
      long timeoutMs = config.timeoutFor(route);
      RouteTarget target;
      if (route.isAggregate()) {
        List<AggregateRoute.Backend> backends = new ArrayList<>();
        for (AggregateBackendConfig b : route.aggregate()) {
          backends.add(new AggregateRoute.Backend(b.as(), b.path(), b.required(), plan(route, b.upstream())));
        }
        target = new RouteTarget.Aggregate(new AggregateRoute(route.name(), backends), timeoutMs);
      } else {
        String upstream = route.upstream().orElseThrow();
        target = new RouteTarget.Proxy(new ProxyRoute(route.name(), plan(route, upstream),
            route.stripPrefix().orElse(null)), timeoutMs);
      }
      entries.add(new RouteTable.Entry<>(route.name(), pattern, route.match().methods(), target));
    }
    return new RouteTable<>(entries);
  }

  private CallPlan plan(RouteConfig route, String upstreamName) {
    Upstream upstream = upstreams.get(upstreamName);
    RetryConfig retry = route.retry().applyTo(upstream.config().retry());
    BreakerConfig breaker = route.circuitBreaker().applyTo(upstream.config().circuitBreaker());
    RetryListener listener = new RetryListener() {
      @Override
      public void onRetry(int nextAttempt, long delayMs, Outcome previous) {
        metrics.retry(upstreamName);
      }

      @Override
      public void onGiveUp(GiveUpReason reason, Outcome last) {
        if (reason != GiveUpReason.SUCCESS) {
          metrics.retryStopped(upstreamName, reason.label());
        }
      }
    };
    RetryOperator operator = new RetryOperator(RetryPolicy.from(retry), upstream.retryBudget(),
        Scheduler.of(vertx), THREAD_LOCAL_RANDOM, listener);
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("upstream", upstreamName);
    policy.put("timeoutMs", config.timeoutFor(route));
    policy.put("retry", retry);
    policy.put("circuitBreaker", breaker);
    effectivePolicies.computeIfAbsent(route.name(), k -> new LinkedHashMap<>()).put(upstreamName, policy);
    return new CallPlan(upstream, upstream.breakers(breaker), operator, breaker.failureStatuses());
  }

  private void onBreakerTransition(EndpointBreaker breaker, EndpointBreaker.State to) {
    EVENTS.info("circuit breaker {} {} -> {}", breaker.upstream(), breaker.endpoint(),
        to.name().toLowerCase().replace('_', '-'));
  }

  /** The configuration. */
  public GatewayConfig config() {
    return config;
  }

  /** The monotonic ticker. */
  public Ticker ticker() {
    return ticker;
  }

  /** The gateway's meters. */
  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Lifecycle phase and readiness. */
  public Readiness readiness() {
    return readiness;
  }

  /** The upstreams by name. */
  public Map<String, Upstream> upstreams() {
    return upstreams;
  }

  /** The compiled routes. */
  RouteTable<RouteTarget> routes() {
    return routes;
  }

  /** Effective policy per route and upstream, after defaults and overrides. */
  public Map<String, Map<String, Object>> effectivePolicies() {
    return effectivePolicies;
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

  /** Records a finished request: counters, duration histogram, access log. */
  void finished(String requestId, String method, String path, String route, int status, long startNanos,
                String upstream, int attempts) {
    long nanos = ticker.nanos() - startNanos;
    metrics.request(route, status, nanos);
    accessLog.log(requestId, method, path, route, status, nanos / 1_000_000L, upstream, attempts);
  }

  static Logger log() {
    return LOG;
  }
}
