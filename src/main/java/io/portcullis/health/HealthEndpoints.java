package io.portcullis.health;

import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.EndpointState;
import io.portcullis.upstream.Upstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code /healthz/live} and {@code /healthz/ready}, identical on the main and admin ports.
 * Readiness runs the registered vertx-health-check procedures: {@code lifecycle} decides the
 * status; one {@code upstream:NAME} check per upstream is listed for operators but never makes
 * readiness DOWN (a down dependency must not take every gateway out of its load balancer).
 */
public final class HealthEndpoints {

  /** Liveness path. */
  public static final String LIVE = "/healthz/live";
  /** Readiness path. */
  public static final String READY = "/healthz/ready";

  private static final String LIFECYCLE = "lifecycle";
  private static final String LIVE_BODY = new JsonObject().put("status", "UP").encode();

  private final Readiness readiness;
  private final HealthChecks checks;
  private final List<String> registered = new ArrayList<>();

  /** Endpoints over {@code readiness} and the upstreams' states. */
  public HealthEndpoints(Vertx vertx, Readiness readiness, Collection<Upstream> upstreams) {
    this.readiness = readiness;
    this.checks = HealthChecks.create(vertx);
    checks.register(LIFECYCLE, promise -> {
      JsonObject data = new JsonObject().put("phase", readiness.phase().name().toLowerCase());
      promise.complete(readiness.ready() ? Status.OK(data) : Status.KO(data));
    });
    follow(upstreams);
  }

  /**
   * Lists {@code upstreams} from now on, in place of those listed before (after a reload). Call
   * on the thread that answers the health paths.
   */
  public void follow(Collection<Upstream> upstreams) {
    registered.forEach(checks::unregister);
    registered.clear();
    for (Upstream upstream : upstreams) {
      String name = "upstream:" + upstream.name();
      checks.register(name, promise -> promise.complete(upstreamStatus(upstream)));
      registered.add(name);
    }
  }

  /** Whether {@code path} is one of the reserved health paths. */
  public static boolean isHealthPath(String path) {
    return LIVE.equals(path) || READY.equals(path);
  }

  /** Answers a reserved health path. */
  public void handle(String path, HttpServerResponse response) {
    if (LIVE.equals(path)) {
      live(response);
    } else {
      ready(response);
    }
  }

  /** 200 {@code {"status":"UP"}} whenever the process runs. */
  public void live(HttpServerResponse response) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .setStatusCode(200)
        .end(LIVE_BODY);
  }

  /** 200 UP when serving, else 503 DOWN; the checks are listed either way. */
  public void ready(HttpServerResponse response) {
    checks.checkStatus().onComplete(ar -> {
      boolean up = readiness.ready();
      JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN");
      JsonArray list = new JsonArray();
      if (ar.succeeded() && ar.result().getChecks() != null) {
        for (CheckResult check : ar.result().getChecks()) {
          JsonObject entry = new JsonObject()
              .put("id", check.getId())
              .put("status", Boolean.TRUE.equals(check.getUp()) ? "UP" : "DOWN");
          if (check.getData() != null && !check.getData().isEmpty()) {
            entry.put("data", check.getData());
          }
          list.add(entry);
        }
      } else if (ar.failed()) {
        list.add(new JsonObject().put("id", "health-checks").put("status", "DOWN")
            .put("data", new JsonObject().put("error", String.valueOf(ar.cause().getMessage()))));
      }
      body.put("checks", list);
      if (!response.closed() && !response.ended()) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .setStatusCode(up ? 200 : 503)
            .end(body.encode());
      }
    });
  }

  private static Status upstreamStatus(Upstream upstream) {
    Upstream.BreakerSet breakers = upstream.defaultBreakers();
    JsonArray endpoints = new JsonArray();
    boolean anyAvailable = false;
    EndpointState[] states = upstream.endpoints();
    for (int i = 0; i < states.length; i++) {
      EndpointBreaker breaker = breakers.breaker(i);
      boolean available = breaker.allowsTraffic() && states[i].healthy();
      anyAvailable |= available;
      endpoints.add(new JsonObject()
          .put("endpoint", states[i].address().toString())
          .put("circuit", breaker.state().name().toLowerCase().replace('_', '-'))
          .put("health", states[i].health().name().toLowerCase()));
    }
    JsonObject data = new JsonObject().put("endpoints", endpoints);
    return anyAvailable ? Status.OK(data) : Status.KO(data);
  }
}
