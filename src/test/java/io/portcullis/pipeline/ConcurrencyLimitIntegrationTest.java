package io.portcullis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * README "Overload: concurrency limits", end to end: a real gateway (two event loops) in front of
 * real backends that hold requests, so the number in flight is known exactly.
 */
class ConcurrencyLimitIntegrationTest {

  private static final Map<String, String> BACKEND = Map.of("upstream", "backend");

  /** A new connection per request: consecutive requests alternate between the two event loops. */
  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.newConnectionPerRequest();

  private final GatewayClient client = harness.client();

  /** A backend that holds every request whose path starts with {@code /hold} until released. */
  private static final class HoldingBackend {
    final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    final List<String> paths = java.util.Collections.synchronizedList(new ArrayList<>());
    final FakeBackend server;

    HoldingBackend(GatewayExtension harness) {
      server = harness.backend(req -> {
        paths.add(req.path());
        if (req.path().startsWith("/hold")) {
          held.add(req);
        } else {
          req.response().putHeader("Content-Type", "application/json").end("{\"ok\":true}");
        }
      });
    }

    void awaitHeld(int count) {
      Await.until(count + " requests held by the backend", 10_000, () -> held.size() == count);
    }

    /** Answers the held request that arrived first (on the backend's own event loop); returns its path. */
    String releaseOne() {
      HttpServerRequest req = held.poll();
      server.vertx().runOnContext(v -> req.response().end("released"));
      return req.path();
    }

    void releaseAll() {
      while (!held.isEmpty()) {
        releaseOne();
      }
    }
  }

  private static JsonObject limited(String concurrency, int... ports) {
    return TestGateway.proxyConfig("{\"concurrency\": " + concurrency + "}", ports);
  }

  private static int admin(TestGateway gateway, String what) {
    JsonObject upstream = AdminProbe.upstreams(gateway.adminPort()).getJsonObject("backend");
    return upstream.getInteger(what);
  }

  private static double gauge(TestGateway gateway, String name) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), name, BACKEND).orElse(Double.NaN);
  }

  // ------------------------------------------------------------------------- fixed

  @Test
  void fixedLimitAdmitsExactlyNConcurrentRequestsAndShedsTheNextAtOnce() {
    HoldingBackend backend = new HoldingBackend(harness);
    TestGateway gateway = harness.start(limited("{\"mode\": \"fixed\", \"max\": 3}", backend.server.port()));
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND))
        .as("the shed counter exists from 0").isZero();
    assertThat(AdminProbe.metrics(gateway.adminPort())).contains("portcullis_shed_total{upstream=\"backend\"} 0.0");
    JsonObject effective = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes"))
        .getJsonArray("routes").getJsonObject(0).getJsonObject("effective").getJsonObject("backend");
    assertThat(effective.getJsonObject("concurrency")).as("the effective policy shows the limit")
        .isEqualTo(new JsonObject().put("mode", "fixed").put("initial", 3).put("min", 2).put("max", 3));
    assertThat(AdminProbe.upstreams(gateway.adminPort()).getJsonObject("backend").getString("concurrencyMode"))
        .isEqualTo("fixed");

    Map<String, Future<Reply>> held = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      held.put("/hold/" + i, client.send(HttpMethod.GET, gateway.port(), "/hold/" + i, null));
    }
    backend.awaitHeld(3);
    assertThat(admin(gateway, "concurrencyLimit")).isEqualTo(3);
    assertThat(admin(gateway, "inFlight")).isEqualTo(3);
    assertThat(gauge(gateway, "portcullis_concurrency_limit")).isEqualTo(3.0);
    assertThat(gauge(gateway, "portcullis_concurrency_inflight")).isEqualTo(3.0);

    Reply shed = client.get(gateway.port(), "/shed");

    assertThat(shed.status()).as("%s", shed).isEqualTo(503);
    assertThat(shed.errorCode()).isEqualTo("overloaded");
    assertThat(shed.header("Retry-After")).isEqualTo("1");
    assertThat(shed.json().getString("upstream")).isEqualTo("backend");
    assertThat(held.values()).as("answered while the three admitted requests are still held")
        .noneMatch(Future::isComplete);
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND)).isEqualTo(1.0);

    // One completes: exactly one more is admitted (the sentinel proves the shed one was never sent).
    String released = backend.releaseOne();
    assertThat(Await.result(held.get(released)).status()).isEqualTo(200);
    Await.until("the slot returned", 10_000, () -> admin(gateway, "inFlight") == 2);
    Future<Reply> fourth = client.send(HttpMethod.GET, gateway.port(), "/hold/sentinel", null);
    backend.awaitHeld(3);
    Reply shedAgain = client.get(gateway.port(), "/shed-again");
    assertThat(shedAgain.status()).isEqualTo(503);

    backend.releaseAll();
    assertThat(Await.result(fourth).status()).isEqualTo(200);
    assertThat(backend.paths).as("the backend saw the admitted requests and the sentinel only")
        .containsExactlyInAnyOrder("/hold/0", "/hold/1", "/hold/2", "/hold/sentinel");
    Await.until("every slot returned", 10_000, () -> admin(gateway, "inFlight") == 0);
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND)).isEqualTo(2.0);
  }

  @Test
  void shedRequestsAreNeitherBreakerFailuresNorRetried() {
    HoldingBackend backend = new HoldingBackend(harness);
    JsonObject config = TestGateway.proxyConfig("{\"concurrency\": {\"mode\": \"fixed\", \"max\": 1},"
        + " \"circuitBreaker\": {\"maxFailures\": 1, \"failureStatuses\": [503]},"
        + " \"retry\": {\"maxAttempts\": 3, \"retryOn\": [\"503\"], \"baseDelayMs\": 1}}", backend.server.port());
    TestGateway gateway = harness.start(config);
    Future<Reply> held = client.send(HttpMethod.GET, gateway.port(), "/hold/0", null);
    backend.awaitHeld(1);

    for (int i = 0; i < 5; i++) {
      Reply shed = client.get(gateway.port(), "/shed/" + i);
      assertThat(shed.status()).isEqualTo(503);
      assertThat(shed.errorCode()).isEqualTo("overloaded");
    }

    assertThat(AdminProbe.circuit(gateway.adminPort(), "backend", 0)).as("a shed request is no breaker failure")
        .isEqualTo("closed");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_retries_total", BACKEND)).as("nor retried")
        .isZero();
    backend.releaseAll();
    assertThat(Await.result(held).status()).isEqualTo(200);
    Reply sentinel = client.get(gateway.port(), "/after");
    assertThat(sentinel.status()).isEqualTo(200);
    assertThat(backend.paths).containsExactly("/hold/0", "/after");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND)).isEqualTo(5.0);
  }

  // ------------------------------------------------------------------------- release

  @Test
  void thePermitIsReturnedWhenTheClientResets() throws Exception {
    HoldingBackend backend = new HoldingBackend(harness);
    TestGateway gateway = harness.start(limited("{\"mode\": \"fixed\", \"max\": 1}", backend.server.port()));
    try (RawConnection raw = RawConnection.open(gateway.port())) {
      raw.send("GET /hold/reset HTTP/1.1\r\nHost: x\r\n\r\n");
      backend.awaitHeld(1);
      assertThat(client.get(gateway.port(), "/full").errorCode()).isEqualTo("overloaded");
    }

    Await.until("the permit returned after the client left", 10_000, () -> admin(gateway, "inFlight") == 0);
    assertThat(gauge(gateway, "portcullis_concurrency_inflight")).isZero();
    Reply sentinel = client.get(gateway.port(), "/sentinel");
    assertThat(sentinel.status()).as("the one slot is free again: %s", sentinel).isEqualTo(200);
  }

  @Test
  void thePermitIsReturnedWhenTheDeadlinePasses() {
    HoldingBackend backend = new HoldingBackend(harness);
    JsonObject config = limited("{\"mode\": \"adaptive\", \"initial\": 1, \"min\": 1, \"max\": 1}",
        backend.server.port());
    config.getJsonArray("routes").getJsonObject(0).put("timeoutMs", 300);
    TestGateway gateway = harness.start(config);

    Reply late = client.get(gateway.port(), "/hold/deadline");

    assertThat(late.status()).isEqualTo(504);
    Await.until("the permit returned after the deadline", 10_000, () -> admin(gateway, "inFlight") == 0);
    Reply sentinel = client.get(gateway.port(), "/sentinel");
    assertThat(sentinel.status()).as("the one slot is free again: %s", sentinel).isEqualTo(200);
    assertThat(backend.paths).containsExactly("/hold/deadline", "/sentinel");
  }

  // ------------------------------------------------------------------------- pool

  @Test
  void aRequestBeyondThePoolsWaitQueueIsShedWithoutABreakerFailure() {
    HoldingBackend backend = new HoldingBackend(harness);
    JsonObject config = TestGateway.proxyConfig("{\"pool\": {\"maxConnections\": 1, \"maxPending\": 0},"
        + " \"circuitBreaker\": {\"maxFailures\": 1}}", backend.server.port());
    config.put("server", new JsonObject().put("instances", 1)); // one event loop: one pool
    TestGateway gateway = harness.start(config);
    Future<Reply> held = client.send(HttpMethod.GET, gateway.port(), "/hold/0", null);
    backend.awaitHeld(1);

    Reply refused = client.get(gateway.port(), "/refused");

    assertThat(refused.status()).as("%s", refused).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("overloaded");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND)).isEqualTo(1.0);
    assertThat(AdminProbe.circuit(gateway.adminPort(), "backend", 0)).isEqualTo("closed");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_retries_total", BACKEND)).isZero();
    // Nothing was sent: not an attempt, nor an endpoint failure.
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_upstream_attempts_total",
        Map.of("upstream", "backend", "outcome", "other"))).isZero();
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "backend", 0).getLong("totalFailures")).isZero();
    backend.releaseAll();
    assertThat(Await.result(held).status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/after").status()).isEqualTo(200);
    assertThat(backend.paths).containsExactly("/hold/0", "/after");
  }

  // ------------------------------------------------------------------------- aggregate

  private static JsonObject aggregateConfig(int usersPort, int ordersPort, boolean ordersRequired) {
    JsonObject fixedOne = new JsonObject().put("mode", "fixed").put("max", 1);
    return new JsonObject()
        .put("upstreams", new JsonObject()
            .put("users", new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + usersPort))
                .put("concurrency", fixedOne))
            .put("orders", new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + ordersPort))
                .put("concurrency", fixedOne)))
        .put("routes", new JsonArray()
            .add(new JsonObject().put("name", "orders").put("match", new JsonObject().put("pathPrefix", "/hold"))
                .put("upstream", "orders"))
            .add(new JsonObject().put("name", "profile").put("match", new JsonObject().put("path", "/profile/:id"))
                .put("aggregate", new JsonArray()
                    .add(new JsonObject().put("upstream", "users").put("path", "/users/:id").put("as", "user"))
                    .add(new JsonObject().put("upstream", "orders").put("path", "/orders/:id").put("as", "orders")
                        .put("required", ordersRequired)))));
  }

  @Test
  void aShedOptionalBranchIsOmittedAndListedAsOverloaded() {
    HoldingBackend users = new HoldingBackend(harness);
    HoldingBackend orders = new HoldingBackend(harness);
    TestGateway gateway = harness.start(aggregateConfig(users.server.port(), orders.server.port(), false));
    Future<Reply> held = client.send(HttpMethod.GET, gateway.port(), "/hold/0", null);
    orders.awaitHeld(1);

    Reply reply = client.get(gateway.port(), "/profile/7");

    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(new JsonObject().put("user", new JsonObject().put("ok", true)));
    assertThat(reply.header("X-Gateway-Completed")).isEqualTo("false");
    assertThat(reply.header("X-Gateway-Failed")).isEqualTo("orders=overloaded");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", Map.of("upstream", "orders")))
        .isEqualTo(1.0);
    orders.releaseAll();
    assertThat(Await.result(held).status()).isEqualTo(200);
    assertThat(orders.paths).as("the shed branch was never sent").containsExactly("/hold/0");
    Await.until("the users branch's permit returned", 10_000,
        () -> AdminProbe.upstreams(gateway.adminPort()).getJsonObject("users").getInteger("inFlight") == 0);
  }

  @Test
  void aShedRequiredBranchMakesTheWholeAnswerOverloadedAndSendsNothing() {
    HoldingBackend users = new HoldingBackend(harness);
    HoldingBackend orders = new HoldingBackend(harness);
    TestGateway gateway = harness.start(aggregateConfig(users.server.port(), orders.server.port(), true));
    Future<Reply> held = client.send(HttpMethod.GET, gateway.port(), "/hold/0", null);
    orders.awaitHeld(1);

    Reply reply = client.get(gateway.port(), "/profile/7");

    assertThat(reply.status()).as("%s", reply).isEqualTo(503);
    assertThat(reply.errorCode()).isEqualTo("overloaded");
    assertThat(reply.header("Retry-After")).isEqualTo("1");
    assertThat(AdminProbe.upstreams(gateway.adminPort()).getJsonObject("users").getInteger("inFlight"))
        .as("the users permit taken before the orders branch was shed is returned").isZero();
    orders.releaseAll();
    assertThat(Await.result(held).status()).isEqualTo(200);
    // Sentinel: with both slots free the same request is answered, so the first was really refused whole.
    Reply sentinel = client.get(gateway.port(), "/profile/8");
    assertThat(sentinel.status()).as("%s", sentinel).isEqualTo(200);
    assertThat(users.paths).as("no branch was sent for the shed request").containsExactly("/users/8");
    assertThat(orders.paths).containsExactly("/hold/0", "/orders/8");
  }

  // ------------------------------------------------------------------------- adaptive

  /**
   * A thread-pool-like backend on timers: {@code workers} requests served at a time, each for
   * {@code serviceMs}, the rest queued in arrival order; its latency climbs with concurrency.
   */
  private static final class QueueingBackend {
    final ConcurrentLinkedQueue<HttpServerRequest> queue = new ConcurrentLinkedQueue<>();
    final AtomicInteger busy = new AtomicInteger();
    final FakeBackend server;
    final int workers;
    final long serviceMs;

    QueueingBackend(GatewayExtension harness, int workers, long serviceMs) {
      this.workers = workers;
      this.serviceMs = serviceMs;
      server = harness.backend(req -> {
        queue.add(req);
        next();
      });
    }

    private void next() {
      // One event loop serves this backend: no race between these steps.
      while (busy.get() < workers && !queue.isEmpty()) {
        HttpServerRequest req = queue.poll();
        busy.incrementAndGet();
        server.vertx().setTimer(serviceMs, id -> {
          busy.decrementAndGet();
          if (!req.response().closed()) {
            req.response().end("done");
          }
          next();
        });
      }
    }
  }

  /** Closed-loop clients: each sends the next request when its answer arrives, until stopped. */
  private void load(int clients, TestGateway gateway, AtomicBoolean stop, Map<Integer, AtomicInteger> statuses,
                    List<Future<Void>> done) {
    for (int i = 0; i < clients; i++) {
      io.vertx.core.Promise<Void> finished = io.vertx.core.Promise.promise();
      done.add(finished.future());
      loop(gateway, stop, statuses, finished);
    }
  }

  private void loop(TestGateway gateway, AtomicBoolean stop, Map<Integer, AtomicInteger> statuses,
                    io.vertx.core.Promise<Void> finished) {
    if (stop.get()) {
      finished.complete();
      return;
    }
    client.send(HttpMethod.GET, gateway.port(), "/work", null).onComplete(ar -> {
      int status = ar.succeeded() ? ar.result().status() : -1;
      statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
      loop(gateway, stop, statuses, finished);
    });
  }

  @Test
  void adaptiveLimitComesDownWhenTheBackendsLatencyClimbsWithConcurrency() {
    QueueingBackend backend = new QueueingBackend(harness, 4, 20);
    TestGateway gateway = harness.start(limited("{\"mode\": \"adaptive\", \"initial\": 50, \"min\": 2, \"max\": 200}",
        backend.server.port()));
    Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<Void>> done = new ArrayList<>();

    // Light load first: the limit learns the backend's unloaded latency (20 ms).
    AtomicBoolean stopLight = new AtomicBoolean();
    load(2, gateway, stopLight, statuses, done);
    Await.until("a few hundred light requests", 30_000,
        () -> statuses.getOrDefault(200, new AtomicInteger()).get() >= 60);
    stopLight.set(true);
    Await.result(Future.all(done), 10_000);
    assertThat(admin(gateway, "concurrencyLimit")).as("not lowered by light load").isGreaterThanOrEqualTo(50);

    // Then 40 clients: the backend's queue (4 workers) shows in its latency, and the limit comes down.
    AtomicBoolean stopHeavy = new AtomicBoolean();
    done.clear();
    load(40, gateway, stopHeavy, statuses, done);
    try {
      Await.until("the limit at half its initial value or less, and requests shed over it", 30_000,
          () -> admin(gateway, "concurrencyLimit") <= 25
              && AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND) > 0);
    } finally {
      stopHeavy.set(true);
      Await.result(Future.all(done), 15_000);
    }
    int limit = admin(gateway, "concurrencyLimit");
    assertThat(limit).isBetween(2, 25);
    assertThat(statuses.keySet()).as("only answers, only 200 and 503: %s", statuses).isSubsetOf(200, 503);
    assertThat(statuses.get(503)).as("40 clients over a lower limit: some shed").isNotNull();
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_shed_total", BACKEND))
        .isEqualTo(statuses.get(503).get());
    Await.until("every permit returned", 10_000, () -> admin(gateway, "inFlight") == 0);
  }
}
