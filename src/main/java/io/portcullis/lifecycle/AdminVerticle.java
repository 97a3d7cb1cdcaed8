package io.portcullis.lifecycle;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portcullis.admission.ConcurrencyLimiter;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.ConfigWriter;
import io.portcullis.dashboard.Dashboard;
import io.portcullis.health.HealthEndpoints;
import io.portcullis.reload.ReloadOutcome;
import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.EndpointState;
import io.portcullis.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin server ({@code admin.host}, loopback by default): health, Prometheus metrics,
 * JSON views of upstreams (breaker state, in-flight, failures, health) and routes (effective
 * policies after defaults and overrides), and {@code POST /admin/reload}.
 */
final class AdminVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  /** Trigger name of a reload asked for on the admin port. */
  static final String ADMIN_TRIGGER = "admin";

  private final GatewayRuntime runtime;
  private final PrometheusMeterRegistry registry;
  private final Reloads reloads;
  private final Supplier<Future<?>> jvmMeters;
  private final GatewayRuntime.Follower follower = this::adoptOnLoop;
  private HealthEndpoints health;
  private HttpServer server;
  private volatile int port = -1;

  /**
   * The admin server; {@code reloads} re-reads the configuration file and the listener's
   * certificate; {@code jvmMeters} binds the JVM meters if they are not yet and completes once they
   * are (a scrape waits for it).
   */
  AdminVerticle(GatewayRuntime runtime, PrometheusMeterRegistry registry, Reloads reloads,
                Supplier<Future<?>> jvmMeters) {
    this.runtime = runtime;
    this.registry = registry;
    this.reloads = reloads;
    this.jvmMeters = jvmMeters;
  }

  int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    health = new HealthEndpoints(vertx, runtime.readiness(), runtime.snapshot().upstreams().values());
    runtime.follow(follower);
    Router router = Router.router(vertx);
    router.get(HealthEndpoints.LIVE).handler(rc -> health.live(rc.response()));
    router.get(HealthEndpoints.READY).handler(rc -> health.ready(rc.response()));
    Handler<RoutingContext> scrape = PrometheusScrapingHandler.create(registry);
    router.get("/metrics").handler(rc -> {
      Future<?> bound = jvmMeters.get();
      if (bound.isComplete()) {
        scrape.handle(rc);
      } else {
        bound.onComplete(ar -> context.runOnContext(v -> scrape.handle(rc)));
      }
    });
    router.get("/admin/upstreams").handler(this::upstreams);
    router.get("/admin/routes").handler(this::routes);
    router.post("/admin/reload").handler(this::reload);
    // Built here, once the gateway listens, rather than before its verticles deploy.
    new Dashboard(registry, runtime::config, runtime.ticker()::nanos).mount(router);
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(runtime.config().admin().port(), runtime.config().admin().host())
        .onSuccess(s -> port = s.actualPort())
        .recover(err -> Future.failedFuture(new ListenFailure("admin listener", runtime.config().admin().host(),
            runtime.config().admin().port(), err)));
  }

  @Override
  public Future<?> stop() {
    runtime.unfollow(follower);
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Future<Void> adoptOnLoop(RuntimeSnapshot snapshot) {
    Promise<Void> adopted = Promise.promise();
    context.runOnContext(v -> {
      try {
        health.follow(snapshot.upstreams().values());
      } catch (RuntimeException e) {
        LOG.error("admin health view could not follow configuration generation {}", snapshot.generation(), e);
      }
      adopted.complete();
    });
    return adopted.future();
  }

  /**
   * {@code POST /admin/reload}: 200 with the change summary when the file was applied (or is
   * unchanged), 400 with {@code errors} when it is unreadable or invalid, 409 when the gateway
   * has no configuration file or is shutting down. With TLS, {@code "certificate"} tells what
   * became of the listener's certificate.
   */
  private void reload(RoutingContext rc) {
    if (!reloads.fromFile()) {
      json(rc, 409, new JsonObject().put("result", "failed")
          .put("errors", new JsonArray().add("$: the gateway was not started from a configuration file")));
      return;
    }
    reloads.reload(ADMIN_TRIGGER).onComplete(ar -> {
      if (ar.failed()) {
        json(rc, 409, new JsonObject().put("result", "failed")
            .put("errors", new JsonArray().add("$: " + ar.cause().getMessage())));
      } else {
        ReloadOutcome outcome = ar.result().config();
        json(rc, outcome.succeeded() ? 200 : 400, ar.result().toJson());
      }
    });
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    if (!rc.response().closed() && !rc.response().ended()) {
      rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encodePrettily());
    }
  }

  private void upstreams(RoutingContext rc) {
    JsonObject body = new JsonObject();
    for (Upstream upstream : runtime.snapshot().upstreams().values()) {
      JsonArray endpoints = new JsonArray();
      Upstream.BreakerSet breakers = upstream.defaultBreakers();
      EndpointState[] states = upstream.endpoints();
      for (int i = 0; i < states.length; i++) {
        EndpointBreaker breaker = breakers.breaker(i);
        JsonObject endpoint = new JsonObject()
            .put("endpoint", states[i].address().toString())
            .put("circuit", stateName(breaker.state()))
            .put("millisUntilHalfOpen", breaker.millisUntilHalfOpen())
            .put("inFlight", states[i].inFlight())
            .put("recentFailures", breaker.failureCount())
            .put("totalFailures", states[i].failures())
            .put("health", states[i].health().name().toLowerCase());
        states[i].address().discoveredFrom().ifPresent(name -> endpoint.put("discoveredFrom", name));
        endpoints.add(endpoint);
      }
      // Addresses that left DNS, listed until their requests in flight finish.
      for (EndpointState gone : upstream.draining()) {
        JsonObject endpoint = new JsonObject()
            .put("endpoint", gone.address().toString())
            .put("draining", true)
            .put("inFlight", gone.inFlight())
            .put("totalFailures", gone.failures())
            .put("health", gone.health().name().toLowerCase());
        gone.address().discoveredFrom().ifPresent(name -> endpoint.put("discoveredFrom", name));
        endpoints.add(endpoint);
      }
      JsonArray overrides = new JsonArray();
      for (Map.Entry<BreakerConfig, Upstream.BreakerSet> set : upstream.allBreakerSets().entrySet()) {
        if (set.getKey().equals(upstream.config().circuitBreaker())) {
          continue;
        }
        JsonArray states2 = new JsonArray();
        for (int i = 0; i < set.getValue().size(); i++) {
          EndpointBreaker b = set.getValue().breaker(i);
          states2.add(new JsonObject().put("endpoint", b.endpoint()).put("circuit", stateName(b.state()))
              .put("recentFailures", b.failureCount()));
        }
        overrides.add(new JsonObject().put("maxFailures", set.getKey().maxFailures())
            .put("rollingWindowMs", set.getKey().rollingWindowMs())
            .put("resetTimeoutMs", set.getKey().resetTimeoutMs())
            .put("endpoints", states2));
      }
      ConcurrencyLimiter limiter = upstream.limiter();
      boolean limited = limiter.mode() != ConcurrencyLimiter.Mode.OFF;
      int inFlight = 0;
      for (EndpointState state : states) {
        inFlight += state.inFlight();
      }
      JsonObject entry = new JsonObject()
          .put("balancer", upstream.config().balancer().jsonName())
          // README "Overload: concurrency limits": the limit now (null: mode off) and the requests
          // in flight to the upstream (counted by the limit when one applies).
          .put("concurrencyMode", upstream.config().concurrency().mode().jsonName())
          .put("concurrencyLimit", limited ? (Integer) limiter.limit() : null)
          .put("inFlight", limited ? limiter.inFlight() : inFlight)
          .put("endpoints", endpoints)
          .put("retryBudget", new JsonObject()
              .put("requestsInWindow", upstream.retryBudget().requestsInWindow())
              .put("retriesInWindow", upstream.retryBudget().retriesInWindow()));
      if (!overrides.isEmpty()) {
        entry.put("routeBreakers", overrides);
      }
      body.put(upstream.name(), entry);
    }
    rc.response().putHeader("Content-Type", "application/json").end(body.encodePrettily());
  }

  private void routes(RoutingContext rc) {
    RuntimeSnapshot snapshot = runtime.snapshot();
    rc.response().putHeader("Content-Type", "application/json")
        .end(ConfigWriter.routesView(snapshot.config(), snapshot.effectivePolicies()).encodePrettily());
  }

  private static String stateName(EndpointBreaker.State state) {
    return state.name().toLowerCase().replace('_', '-');
  }
}
