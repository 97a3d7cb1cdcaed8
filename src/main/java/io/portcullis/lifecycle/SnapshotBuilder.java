package io.portcullis.lifecycle;

import io.portcullis.pipeline.RouteTarget;
import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.config.AggregateBackendConfig;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.EffectivePolicy;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.HedgeConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.Endpoint;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.latency.LatencyHistogram;
import io.portcullis.latency.LatencyPercentile;
import io.portcullis.latency.UpstreamLatencies;
import io.portcullis.observe.AccessLog;
import io.portcullis.trace.Tracing;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.proxy.CallPlan;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.ratelimit.RateLimiterRegistry;
import io.portcullis.ratelimit.RouteRateLimits;
import io.portcullis.resilience.GiveUpReason;
import io.portcullis.resilience.HedgePolicy;
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
import io.portcullis.upstream.discovery.DiscoveredEndpoints;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Compiles a {@link GatewayConfig} into a {@link RuntimeSnapshot}: upstreams, call plans, the route
 * table and the effective policies. Given the previous snapshot, an upstream whose configuration
 * and endpoints are equal keeps its {@link Upstream} object (breakers with their state, retry
 * budget, balancer); a changed one is rebuilt, keeping the state of the endpoints it still has (see
 * {@link Upstream#Upstream(Vertx, UpstreamConfig, List, Ticker, Scheduler, RandomGenerator, EndpointBreaker.Listener, Upstream)}).
 * An upstream's endpoints are its configured ones, or with DNS discovery the addresses
 * {@link DiscoveredEndpoints} knows when the snapshot is built.
 */
final class SnapshotBuilder {

  private final Vertx vertx;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final GatewayMetrics metrics;
  private final EndpointBreaker.Listener breakerListener;
  private final RouteRateLimits rateLimits;
  private final Function<String, String> env;
  private final DiscoveredEndpoints discovered;
  private final UpstreamLatencies latencies = new UpstreamLatencies();

  /** A builder that sees an empty environment and discovers nothing. */
  SnapshotBuilder(Vertx vertx, Ticker ticker, Scheduler scheduler, RandomGenerator random, GatewayMetrics metrics,
                  EndpointBreaker.Listener breakerListener) {
    this(vertx, ticker, scheduler, random, metrics, breakerListener, name -> null, new DiscoveredEndpoints());
  }

  /**
   * @param env the environment, read by each build (tracing's OpenTelemetry variables)
   * @param discovered the addresses DNS discovery found, read by each build
   */
  SnapshotBuilder(Vertx vertx, Ticker ticker, Scheduler scheduler, RandomGenerator random, GatewayMetrics metrics,
                  EndpointBreaker.Listener breakerListener, Function<String, String> env,
                  DiscoveredEndpoints discovered) {
    this.vertx = vertx;
    this.discovered = discovered;
    this.env = env;
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.random = random;
    this.metrics = metrics;
    this.breakerListener = breakerListener;
    this.rateLimits = new RouteRateLimits(new RateLimiterRegistry(ticker), metrics);
  }

  /** The latency histograms of the upstreams that percentile-hedged routes call, kept across builds. */
  UpstreamLatencies latencies() {
    return latencies;
  }

  /** The snapshot of {@code config}; {@code previous} (null at start) lends the state it can keep. */
  RuntimeSnapshot build(GatewayConfig config, RuntimeSnapshot previous) {
    return build(config, previous, null);
  }

  /**
   * The snapshot of {@code config} over {@code previous} (null at start), with {@code tracing}
   * when it is already made for {@code config} (null: made here, keeping {@code previous}'s
   * exporter when its settings are unchanged).
   */
  synchronized RuntimeSnapshot build(GatewayConfig config, RuntimeSnapshot previous, Tracing tracing) {
    // Synchronized: a reload and a DNS answer may build at once, and a build trims the breaker
    // sets of the upstreams it shares with the other.
    Map<String, Upstream> upstreams = new LinkedHashMap<>();
    for (UpstreamConfig u : config.upstreams().values()) {
      Upstream before = previous == null ? null : previous.upstreams().get(u.name());
      List<Endpoint> endpoints = discovered.endpoints(u);
      Upstream upstream = before != null && before.config().equals(u) && before.hasEndpoints(endpoints) ? before
          : new Upstream(vertx, u, endpoints, ticker, scheduler, random, breakerListener, before);
      upstreams.put(u.name(), upstream);
    }
    Map<String, Map<String, EffectivePolicy>> policies = new LinkedHashMap<>();
    RouteTable<RouteTarget> routes = compileRoutes(config, upstreams, policies);
    rateLimits.retainOnly(config);
    retainLatencies(config);
    retainBreakerSetsInUse(upstreams, policies);
    Map<String, Map<String, EffectivePolicy>> frozen = new LinkedHashMap<>();
    policies.forEach((route, perUpstream) -> frozen.put(route, Collections.unmodifiableMap(perUpstream)));
    long generation = previous == null ? 1 : previous.generation() + 1;
    // Unchanged export settings keep the running exporter (and its queue).
    Tracing traced = tracing != null ? tracing
        : Tracing.create(config, env, random, previous == null ? null : previous.tracing());
    return new RuntimeSnapshot(generation, config, Collections.unmodifiableMap(upstreams), routes,
        Collections.unmodifiableMap(frozen), new AccessLog(config.accessLog().enabled()), traced);
  }

  /** Forgets the latency histograms of upstreams no percentile-hedged route of {@code config} calls. */
  private void retainLatencies(GatewayConfig config) {
    Set<String> read = new HashSet<>();
    for (RouteConfig route : config.routes()) {
      if (route.hedge().isPresent() && route.hedge().get().percentile().isPresent()) {
        route.upstream().ifPresent(read::add);
      }
    }
    latencies.retainOnly(read);
  }

  /** Lets each upstream forget the route breaker settings no route of this configuration uses. */
  private static void retainBreakerSetsInUse(Map<String, Upstream> upstreams,
                                             Map<String, Map<String, EffectivePolicy>> policies) {
    Map<String, Set<BreakerConfig>> inUse = new HashMap<>();
    policies.values().forEach(perUpstream -> perUpstream.forEach((upstream, policy) ->
        inUse.computeIfAbsent(upstream, k -> new HashSet<>()).add(policy.circuitBreaker())));
    upstreams.forEach((name, upstream) -> upstream.retainBreakerSets(inUse.getOrDefault(name, Set.of())));
  }

  private RouteTable<RouteTarget> compileRoutes(GatewayConfig config, Map<String, Upstream> upstreams,
                                                Map<String, Map<String, EffectivePolicy>> policies) {
    List<RouteTable.Entry<RouteTarget>> entries = new ArrayList<>();
    for (RouteConfig route : config.routes()) {
      PathPattern pattern = route.match().path().map(PathPattern::exact)
          .orElseGet(() -> PathPattern.prefix(route.match().pathPrefix().orElseThrow()));
      long timeoutMs = config.timeoutFor(route);
      RouteTarget target;
      if (route.isAggregate()) {
        List<AggregateRoute.Backend> backends = new ArrayList<>();
        for (AggregateBackendConfig b : route.aggregate()) {
          backends.add(new AggregateRoute.Backend(b.as(), b.path(), b.required(),
              plan(config, route, upstreams.get(b.upstream()), policies, null)));
        }
        target = new RouteTarget.Aggregate(new AggregateRoute(route.name(), backends), timeoutMs,
            rateLimits.forRoute(route));
      } else {
        Upstream upstream = upstreams.get(route.upstream().orElseThrow());
        // Hedging applies to plain proxy routes only; the configuration refuses it elsewhere.
        HedgeConfig hedge = route.websocket() ? null : route.hedge().orElse(null);
        target = new RouteTarget.Proxy(new ProxyRoute(route.name(), plan(config, route, upstream, policies, hedge),
            route.stripPrefix().orElse(null), route.websocket()), timeoutMs, rateLimits.forRoute(route));
      }
      entries.add(new RouteTable.Entry<>(route.name(), pattern, route.match().methods(), target));
    }
    return new RouteTable<>(entries);
  }

  private CallPlan plan(GatewayConfig config, RouteConfig route, Upstream upstream,
                        Map<String, Map<String, EffectivePolicy>> policies, HedgeConfig hedge) {
    String upstreamName = upstream.name();
    EffectivePolicy policy = EffectivePolicy.of(config, route, upstream.config());
    policies.computeIfAbsent(route.name(), k -> new LinkedHashMap<>()).put(upstreamName, policy);
    BreakerConfig breaker = policy.circuitBreaker();
    // Registered now, so that both results show 0 before the first hedge.
    Counter hedgesWon = hedge == null ? null : metrics.hedges(upstreamName, true);
    Counter hedgesLost = hedge == null ? null : metrics.hedges(upstreamName, false);
    RetryListener listener = new RetryListener() {
      @Override
      public void onHedgeResult(int attempt, boolean won) {
        (won ? hedgesWon : hedgesLost).increment();
      }

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
    LatencyHistogram latency = null;
    HedgePolicy hedgePolicy = null;
    if (hedge != null && hedge.percentile().isPresent()) {
      latency = latencies.forUpstream(upstreamName);
      LatencyPercentile percentile = latency.percentile(hedge.percentile().getAsDouble());
      hedgePolicy = HedgePolicy.fromLatency(percentile::nanos, hedge.maxHedges());
    } else if (hedge != null) {
      hedgePolicy = HedgePolicy.afterDelay(hedge.delayMs().getAsLong(), hedge.maxHedges());
    }
    RetryOperator operator = new RetryOperator(RetryPolicy.from(policy.retry()), upstream.retryBudget(),
        scheduler, random, listener, hedgePolicy);
    return new CallPlan(upstream, upstream.breakers(breaker), operator, breaker.failureStatuses(), latency);
  }
}
