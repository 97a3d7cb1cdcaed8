package io.portcullis.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README "How a request flows", fan-out routes end to end: branches run in parallel under the request's
 * one deadline, their JSON bodies are merged under their {@code as} names, an optional branch's
 * failure is reported in {@code X-Gateway-Failed}, and a required branch's failure fails the
 * request and cancels the branches still running.
 */
class AggregationIntegrationTest {

  private static final JsonObject USER = new JsonObject().put("id", "42").put("name", "Ada");
  private static final JsonArray ORDERS = new JsonArray()
      .add(new JsonObject().put("id", 1).put("total", 9.5))
      .add(new JsonObject().put("id", 2).put("total", 20));

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  // ------------------------------------------------------------------------- success

  @Test
  void branchesRunInParallelAndTheirBodiesAreMergedUnderTheirNames() {
    FakeBackend users = harness.backend(delayedJson(300, USER.encode()));
    FakeBackend orders = harness.backend(delayedJson(300, ORDERS.encode()));
    TestGateway gateway = harness.start(config(users.port(), orders.port(), null, null));
    client.get(gateway.port(), "/api/profile/7"); // warm-up: class loading, connection pools

    Reply reply = client.get(gateway.port(), "/api/profile/42");

    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.json()).isEqualTo(new JsonObject().put("user", USER).put("orders", ORDERS));
    assertThat(reply.header("X-Gateway-Completed")).isEqualTo("true");
    assertThat(reply.header("X-Gateway-Failed")).isNull();
    assertThat(reply.elapsedMs()).as("two 300 ms backends called in parallel, not one after the other")
        .isBetween(300L, 499L);
  }

  @Test
  void eachBackendsJsonIsMergedByteForByteAndAnInvalidOneIsReported() {
    String exact = "{\"total\":12.50,\"big\":123456789012345678901234567890,\"e\":1E+2, \"s\":\"\\u00e9\"}";
    FakeBackend users = harness.backend(delayedJson(0, exact));
    FakeBackend orders = harness.backend(delayedJson(0, "{\"a\":1} trailing"));
    TestGateway gateway = harness.start(config(users.port(), orders.port(), null, null));

    Reply reply = client.get(gateway.port(), "/api/profile/42");

    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"user\":" + exact + "}");
    assertThat(reply.header("X-Gateway-Completed")).isEqualTo("false");
    assertThat(reply.header("X-Gateway-Failed")).as("the code a required branch would answer with")
        .isEqualTo("orders=upstream_unavailable");
  }

  @Test
  void pathParametersAreExpandedIntoEachBackendPath() {
    FakeBackend users = harness.backend(delayedJson(0, USER.encode()));
    FakeBackend orders = harness.backend(delayedJson(0, ORDERS.encode()));
    JsonObject config = config(users.port(), orders.port(), null, null);
    JsonObject route = config.getJsonArray("routes").getJsonObject(0);
    route.put("match", new JsonObject().put("path", "/api/shops/:shop/profile/:id"));
    route.getJsonArray("aggregate").getJsonObject(0).put("path", "/users/:id");
    route.getJsonArray("aggregate").getJsonObject(1).put("path", "/shops/:shop/orders/by-user/:id");
    TestGateway gateway = harness.start(config);

    Reply reply = client.get(gateway.port(), "/api/shops/north-7/profile/u-42");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(users.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/users/u-42");
    assertThat(orders.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/shops/north-7/orders/by-user/u-42");
    assertThat(users.seen().get(0).method()).isEqualTo("GET");
  }

  // ------------------------------------------------------------------ optional failure

  @Test
  void anOptionalBackendAnswering500LeavesTheRequiredPartAndIsReportedAsUpstreamUnavailable() {
    FakeBackend users = harness.backend(delayedJson(0, USER.encode()));
    FakeBackend orders = harness.backend(req -> req.response().setStatusCode(500).end("oops"));
    TestGateway gateway = harness.start(config(users.port(), orders.port(), null, null));

    Reply reply = client.get(gateway.port(), "/api/profile/42");

    assertPartial(reply, "orders=upstream_unavailable");
  }

  @Test
  void anOptionalBackendThatRefusesConnectionsIsReportedAsUpstreamUnavailable() {
    FakeBackend users = harness.backend(delayedJson(0, USER.encode()));
    TestGateway gateway = harness.start(config(users.port(), harness.refusedPort(), null, null));

    Reply reply = client.get(gateway.port(), "/api/profile/42");

    assertPartial(reply, "orders=upstream_unavailable");
  }

  @Test
  void anOptionalBackendBehindAnOpenBreakerIsReportedAsCircuitOpen() {
    FakeBackend users = harness.backend(delayedJson(0, USER.encode()));
    JsonObject oneStrike = new JsonObject()
        .put("circuitBreaker", new JsonObject().put("maxFailures", 1).put("resetTimeoutMs", 60_000))
        .put("retry", new JsonObject().put("maxAttempts", 1));
    TestGateway gateway = harness.start(config(users.port(), harness.refusedPort(), null, oneStrike));

    assertPartial(client.get(gateway.port(), "/api/profile/42"), "orders=upstream_unavailable");
    AdminProbe.awaitCircuit(gateway.adminPort(), "orders", 0, "open", 2_000);

    assertPartial(client.get(gateway.port(), "/api/profile/42"), "orders=circuit_open");
  }

  @Test
  void anOptionalBackendStillOutAtTheDeadlineMakesTheAnswer504AndItsRequestIsReset() {
    FakeBackend users = harness.backend(delayedJson(0, USER.encode()));
    Promise<Long> ordersClosedAt = Promise.promise();
    FakeBackend orders = harness.backend(req ->
        req.connection().closeHandler(v -> ordersClosedAt.tryComplete(System.nanoTime()))); // never answers
    TestGateway gateway = harness.start(config(users.port(), orders.port(), null, null));

    long start = System.nanoTime();
    Reply reply = client.get(gateway.port(), "/api/profile/42", "X-Request-Timeout-Ms", "400");

    // The budget covers every fan-out branch, the optional ones too (README "How a request flows").
    assertThat(reply.status()).as("%s", reply).isEqualTo(504);
    assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 400 ms deadline").isBetween(350L, 2_500L);
    long closedAt = Await.result(ordersClosedAt.future(), 3_000);
    assertThat((closedAt - start) / 1_000_000L).as("ms until the optional branch's request was reset")
        .isLessThan(2_500L);
  }

  @Test
  void aRequiredBackendStillOutAtTheDeadlineMakesTheAnswer504() {
    FakeBackend users = harness.backend(req -> { }); // never answers
    FakeBackend orders = harness.backend(delayedJson(0, ORDERS.encode()));
    TestGateway gateway = harness.start(config(users.port(), orders.port(), null, null));

    Reply reply = client.get(gateway.port(), "/api/profile/42", "X-Request-Timeout-Ms", "400");

    assertThat(reply.status()).as("%s", reply).isEqualTo(504);
    assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 400 ms deadline").isBetween(350L, 2_500L);
    assertThat(reply.json().getString("upstream")).as("the route's upstreams").isEqualTo("users,orders");
  }

  @Test
  void theErrorNamesEachUpstreamOfTheRouteOnce() {
    FakeBackend users = harness.backend(req -> { }); // never answers
    FakeBackend orders = harness.backend(delayedJson(0, ORDERS.encode()));
    JsonObject config = config(users.port(), orders.port(), null, null);
    config.getJsonArray("routes").getJsonObject(0).getJsonArray("aggregate")
        .add(new JsonObject().put("upstream", "users").put("path", "/users/:id/avatar").put("as", "avatar"));
    TestGateway gateway = harness.start(config);

    Reply reply = client.get(gateway.port(), "/api/profile/42", "X-Request-Timeout-Ms", "300");

    assertThat(reply.status()).as("%s", reply).isEqualTo(504);
    assertThat(reply.json().getString("upstream")).isEqualTo("users,orders");
  }

  // ------------------------------------------------------------------ required failure

  @Test
  void aFailingRequiredBackendFailsTheRequestAndCancelsTheSlowBranch() {
    Promise<Void> ordersArrived = Promise.promise();
    Promise<Long> ordersClosedAt = Promise.promise();
    FakeBackend orders = harness.backend(req -> {
      req.connection().closeHandler(v -> ordersClosedAt.tryComplete(System.nanoTime()));
      ordersArrived.tryComplete();
      Vertx.currentContext().owner().setTimer(2_000, id -> {
        if (!ordersClosedAt.future().isComplete()) {
          req.response().putHeader("Content-Type", "application/json").end(ORDERS.encode());
        }
      });
    });
    // The required backend fails (drops its connection) once the slow branch is surely in
    // flight at the orders backend.
    FakeBackend users = harness.backend(req -> {
      Context here = Vertx.currentContext();
      ordersArrived.future().onComplete(v -> here.runOnContext(x -> req.connection().close()));
    });
    JsonObject noRetry = new JsonObject().put("retry", new JsonObject().put("maxAttempts", 1));
    TestGateway gateway = harness.start(config(users.port(), orders.port(), noRetry, null));

    long start = System.nanoTime();
    Reply reply = client.get(gateway.port(), "/api/profile/42");

    assertThat(reply.status()).as("%s", reply).isEqualTo(502);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
    assertThat(reply.json().getString("upstream")).as("the failing backend's upstream").isEqualTo("users");
    assertThat(reply.elapsedMs()).as("answered well before the slow branch's 2 s answer").isLessThan(1_000L);
    long closedAt = Await.result(ordersClosedAt.future(), 2_000);
    assertThat((closedAt - start) / 1_000_000L).as("ms until the slow branch's upstream connection closed")
        .isLessThan(1_500L);
    assertThat(users.requests()).as("the required backend was not retried").isEqualTo(1);
    assertThat(orders.requests()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------ helpers

  private static Handler<HttpServerRequest> delayedJson(long delayMs, String json) {
    return req -> {
      Runnable answer = () -> req.response().putHeader("Content-Type", "application/json").end(json);
      if (delayMs <= 0) {
        answer.run();
      } else {
        Vertx.currentContext().owner().setTimer(delayMs, id -> answer.run());
      }
    };
  }

  private static void assertPartial(Reply reply, String failed) {
    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.json().getJsonObject("user")).isEqualTo(USER);
    assertThat(reply.header("X-Gateway-Completed")).isEqualTo("false");
    assertThat(reply.header("X-Gateway-Failed")).isEqualTo(failed);
  }

  /**
   * Upstreams {@code users} and {@code orders}, one route {@code /api/profile/:id} fanning out to
   * {@code /users/:id} (required, as "user") and {@code /orders/by-user/:id} (optional, as
   * "orders"), with a 3 s timeout.
   */
  private static JsonObject config(int usersPort, int ordersPort, JsonObject usersExtra, JsonObject ordersExtra) {
    JsonObject users = new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + usersPort));
    if (usersExtra != null) {
      users.mergeIn(usersExtra, true);
    }
    JsonObject orders = new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + ordersPort));
    if (ordersExtra != null) {
      orders.mergeIn(ordersExtra, true);
    }
    JsonObject route = new JsonObject()
        .put("name", "profile")
        .put("match", new JsonObject().put("path", "/api/profile/:id"))
        .put("timeoutMs", 3_000)
        .put("aggregate", new JsonArray()
            .add(new JsonObject().put("upstream", "users").put("path", "/users/:id").put("as", "user"))
            .add(new JsonObject().put("upstream", "orders").put("path", "/orders/by-user/:id").put("as", "orders")
                .put("required", false)));
    return new JsonObject()
        .put("upstreams", new JsonObject().put("users", users).put("orders", orders))
        .put("routes", new JsonArray().add(route));
  }
}
