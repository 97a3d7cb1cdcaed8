package io.portcullis.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo services. Each answers JSON that echoes what the gateway sent it (request id,
 * attempt number, milliseconds left), so a curl shows the gateway's work.
 */
final class DemoVerticle extends VerticleBase {

  /** users, first endpoint. */
  static final int USERS_1 = 9001;
  /** users, second endpoint. */
  static final int USERS_2 = 9002;
  /** orders. */
  static final int ORDERS = 9003;
  /** flaky: every other request answers 503. */
  static final int FLAKY = 9004;
  /** slow: answers after {@code ?delayMs=} (default 2000) ms. */
  static final int SLOW = 9005;
  /** broken: always 500. */
  static final int BROKEN = 9006;

  private final String host;
  private final List<HttpServer> servers = new ArrayList<>();
  private final AtomicLong flakyCount = new AtomicLong();

  DemoVerticle(String host) {
    this.host = host;
  }

  static String describe() {
    return "users 127.0.0.1:" + USERS_1 + ",127.0.0.1:" + USERS_2 + "; orders 127.0.0.1:" + ORDERS
        + "; flaky 127.0.0.1:" + FLAKY + "; slow 127.0.0.1:" + SLOW + "; broken 127.0.0.1:" + BROKEN;
  }

  @Override
  public Future<?> start() {
    return Future.all(List.of(
        listen(USERS_1, req -> users(req, "users-1")),
        listen(USERS_2, req -> users(req, "users-2")),
        listen(ORDERS, this::orders),
        listen(FLAKY, this::flaky),
        listen(SLOW, this::slow),
        listen(BROKEN, this::broken)));
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    return Future.join(closing);
  }

  private Future<HttpServer> listen(int port, io.vertx.core.Handler<HttpServerRequest> handler) {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) {
        req.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}");
      } else {
        handler.handle(req);
      }
    });
    servers.add(server);
    return server.listen(port, host);
  }

  private static JsonObject seen(HttpServerRequest req, String servedBy) {
    return new JsonObject()
        .put("servedBy", servedBy)
        .put("method", req.method().name())
        .put("path", req.uri())
        .put("requestId", req.getHeader("X-Request-Id"))
        .put("attempt", req.getHeader("X-Attempt-Count"))
        .put("deadlineMsLeft", req.getHeader("X-Request-Timeout-Ms"))
        .put("forwardedFor", req.getHeader("X-Forwarded-For"));
  }

  private static void json(HttpServerRequest req, int status, Object body) {
    String text = body instanceof JsonObject o ? o.encodePrettily() : ((JsonArray) body).encodePrettily();
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text + "\n");
  }

  private void users(HttpServerRequest req, String servedBy) {
    String path = req.path();
    if (req.method().name().equals("POST")) {
      req.body().onSuccess(body -> json(req, 201, seen(req, servedBy).put("created", body.toString())));
      return;
    }
    if (path.startsWith("/users/")) {
      String id = path.substring("/users/".length());
      json(req, 200, new JsonObject().put("id", id).put("name", "User " + id).put("gateway", seen(req, servedBy)));
    } else if (path.equals("/users")) {
      json(req, 200, new JsonObject()
          .put("users", new JsonArray().add(new JsonObject().put("id", "1").put("name", "User 1"))
              .add(new JsonObject().put("id", "2").put("name", "User 2")))
          .put("gateway", seen(req, servedBy)));
    } else {
      json(req, 404, new JsonObject().put("error", "no such user resource"));
    }
  }

  private void orders(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/orders/by-user/")) {
      String id = path.substring("/orders/by-user/".length());
      json(req, 200, new JsonArray()
          .add(new JsonObject().put("id", "o-" + id + "-1").put("userId", id).put("total", 42.5))
          .add(new JsonObject().put("id", "o-" + id + "-2").put("userId", id).put("total", 7)));
    } else {
      json(req, 200, new JsonObject().put("orders", new JsonArray()).put("gateway", seen(req, "orders")));
    }
  }

  private void flaky(HttpServerRequest req) {
    if (flakyCount.incrementAndGet() % 2 == 1) {
      json(req, 503, seen(req, "flaky").put("error", "flaky failure, try again"));
    } else {
      json(req, 200, seen(req, "flaky").put("result", "ok this time"));
    }
  }

  private void broken(HttpServerRequest req) {
    json(req, 500, seen(req, "broken").put("error", "always broken"));
  }

  private void slow(HttpServerRequest req) {
    long delay = 2000;
    String param = req.getParam("delayMs");
    if (param != null) {
      try {
        delay = Math.max(0, Math.min(60_000, Long.parseLong(param)));
      } catch (NumberFormatException e) {
        json(req, 400, new JsonObject().put("error", "delayMs must be an integer"));
        return;
      }
    }
    long start = System.nanoTime();
    vertx.setTimer(Math.max(1, delay), id -> {
      if (!req.response().closed()) {
        json(req, 200, seen(req, "slow").put("waitedMs", (System.nanoTime() - start) / 1_000_000));
      }
    });
  }
}
