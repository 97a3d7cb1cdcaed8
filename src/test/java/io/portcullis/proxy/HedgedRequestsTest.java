package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README "Hedged requests" through a real gateway in front of real backends: a hedge starts when no
 * response head has arrived {@code delayMs} after the last attempt, the first final head wins and
 * is forwarded, the loser's connection is reset without counting as a breaker failure, and the
 * hedge obeys the method rules, the retry budget and the deadline.
 */
@Timeout(120)
class HedgedRequestsTest {

  private static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";
  private static final String ATTEMPT_HEADER = "X-Attempt-Count";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();
  private final GatewayClient client = harness.client();

  /** One upstream {@code svc} over {@code ports}, route {@code items} on {@code /} with {@code hedge}. */
  private static JsonObject config(JsonObject hedge, JsonObject upstreamExtra, Long timeoutMs, int... ports) {
    JsonArray endpoints = new JsonArray();
    for (int port : ports) {
      endpoints.add("http://127.0.0.1:" + port);
    }
    JsonObject upstream = new JsonObject().put("endpoints", endpoints)
        .put("circuitBreaker", new JsonObject().put("maxFailures", 3).put("rollingWindowMs", 60_000));
    if (upstreamExtra != null) {
      upstream.mergeIn(upstreamExtra, true);
    }
    JsonObject route = new JsonObject().put("name", "items").put("match", new JsonObject().put("pathPrefix", "/"))
        .put("upstream", "svc");
    if (hedge != null) {
      route.put("hedge", hedge);
    }
    if (timeoutMs != null) {
      route.put("timeoutMs", timeoutMs);
    }
    return new JsonObject().put("upstreams", new JsonObject().put("svc", upstream))
        .put("routes", new JsonArray().add(route));
  }

  private static JsonObject delay(long ms) {
    return new JsonObject().put("delayMs", ms);
  }

  /** Answers {@code body} after {@code ms} (at once for 0). */
  private static void answerAfter(FakeBackend backend, HttpServerRequest req, long ms, String body) {
    if (ms <= 0) {
      req.response().end(body);
    } else {
      backend.vertx().setTimer(ms, id -> req.response().end(body));
    }
  }

  private static double hedges(TestGateway gateway, String result) {
    // Present from the start (0 before the first hedge), so a missing sample is a failure here.
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_hedges_total",
        Map.of("upstream", "svc", "result", result)).orElseThrow(() -> new AssertionError("no hedges sample " + result));
  }

  @Test
  void theSlowEndpointLosesTheFastOnesAnswerIsForwardedAndTheLoserIsResetWithoutABreakerFailure() {
    AtomicInteger slowClosed = new AtomicInteger();
    FakeBackend slow = harness.backend(req -> req.connection().closeHandler(v -> slowClosed.incrementAndGet()));
    FakeBackend fast = harness.okBackend("fast");
    TestGateway gateway = harness.start(config(delay(50), null, 10_000L, slow.port(), fast.port()));
    assertThat(hedges(gateway, "won")).as("from 0").isZero();
    assertThat(hedges(gateway, "lost")).isZero();

    int requests = 12; // 4 times the breaker's maxFailures
    for (int i = 0; i < requests; i++) {
      Reply reply = client.get(gateway.port(), "/items/" + i);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("fast");
      assertThat(reply.elapsedMs()).as("well before the 10 s deadline: the slow endpoint never answers")
          .isLessThan(5_000L);
    }

    int slowFirst = slow.requests();
    assertThat(slowFirst).as("first attempts the balancer sent to the slow endpoint (each one hedged)")
        .isBetween(1, requests);
    assertThat(fast.requests()).as("its own first attempts plus one hedge per slow first attempt")
        .isEqualTo(requests);
    Await.until("the slow endpoint's connections closed", 5_000, () -> slowClosed.get() == slowFirst);
    assertThat(AdminProbe.circuit(gateway.adminPort(), "svc", 0)).as("cancelled attempts are no breaker failures")
        .isEqualTo("closed");
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_hedges_total", Map.of("upstream", "svc", "result", "won"),
        slowFirst, 5_000);
    assertThat(hedges(gateway, "lost")).isZero();
  }

  @Test
  void theHedgeCarriesTheNextAttemptCountAndTheMillisecondsLeftAndTheFirstAttemptsHeadCanStillWin() {
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> {
      String attempt = req.getHeader(ATTEMPT_HEADER);
      if (req.path().startsWith("/hedge-wins")) {
        if ("2".equals(attempt)) {
          answerAfter(backend, req, 0, "hedge");
        } // the first attempt hangs until it is reset
      } else if ("1".equals(attempt)) {
        answerAfter(backend, req, 300, "first"); // after the hedge started; the hedge hangs
      }
    });
    TestGateway gateway = harness.start(config(delay(100), null, 5_000L, backend.port()));

    Reply hedgeWins = client.get(gateway.port(), "/hedge-wins");
    Reply firstWins = client.get(gateway.port(), "/first-wins");

    assertThat(hedgeWins.status()).isEqualTo(200);
    assertThat(hedgeWins.body()).isEqualTo("hedge");
    assertThat(firstWins.body()).isEqualTo("first");
    List<FakeBackend.Seen> seen = backend.seen();
    assertThat(seen).hasSize(4);
    assertThat(seen.get(0).header(ATTEMPT_HEADER)).isEqualTo("1");
    assertThat(seen.get(1).header(ATTEMPT_HEADER)).isEqualTo("2");
    long first = Long.parseLong(seen.get(0).header(DEADLINE_HEADER));
    long hedge = Long.parseLong(seen.get(1).header(DEADLINE_HEADER));
    assertThat(first).isBetween(4_000L, 5_000L);
    // The hedge starts 100 ms after the first attempt started; the first attempt's header is
    // written once its connection is up, a few milliseconds after that start on a loaded machine.
    assertThat(hedge).as("the milliseconds left when the hedge started, 100 ms after the first attempt")
        .isLessThanOrEqualTo(first - 75).isPositive();
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_hedges_total", Map.of("upstream", "svc", "result", "won"),
        1, 5_000);
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_hedges_total", Map.of("upstream", "svc", "result", "lost"),
        1, 5_000);
    JsonObject stats = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/stats"));
    assertThat(stats.getJsonObject("upstreams").getJsonObject("svc").getLong("hedges"))
        .as("the dashboard's hedges: both started").isEqualTo(2L);
  }

  @Test
  void postIsNeverHedgedButPostWithAnIdempotencyKeyIs() {
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> req.body().onSuccess(body -> answerAfter(backend, req, 300, "got " + body)));
    TestGateway gateway = harness.start(config(delay(50), null, 5_000L, backend.port()));

    Reply post = client.request(HttpMethod.POST, gateway.port(), "/orders", "{\"n\":1}");

    assertThat(post.status()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("got {\"n\":1}");
    assertThat(backend.requests()).as("a hedge would have started 250 ms before this answer").isEqualTo(1);

    Reply keyed = client.request(HttpMethod.POST, gateway.port(), "/orders", "{\"n\":2}", "Idempotency-Key", "k-2");

    assertThat(keyed.body()).isEqualTo("got {\"n\":2}");
    assertThat(backend.requests()).as("the first attempt and its hedge, the body replayed").isEqualTo(3);
    assertThat(backend.seen().get(2).header(ATTEMPT_HEADER)).isEqualTo("2");
  }

  @Test
  void withNoRetryBudgetLeftNoHedgeStarts() {
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> answerAfter(backend, req, 300, "slow"));
    JsonObject noBudget = new JsonObject().put("retry", new JsonObject().put("budgetRatio", 0)
        .put("budgetMinPerSecond", 0));
    TestGateway gateway = harness.start(config(delay(50), noBudget, 5_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/items");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(backend.requests()).as("a hedge would have started 250 ms before this answer").isEqualTo(1);
    assertThat(hedges(gateway, "won") + hedges(gateway, "lost")).isZero();
  }

  @Test
  void noAttemptStartsPastTheDeadlineAndEveryAttemptIsResetWith504() {
    ConcurrentLinkedQueue<String> closed = new ConcurrentLinkedQueue<>();
    Promise<Void> bothClosed = Promise.promise();
    FakeBackend backend = harness.backend(req -> req.connection().closeHandler(v -> {
      closed.add(req.getHeader(ATTEMPT_HEADER));
      if (closed.size() == 2) {
        bothClosed.tryComplete();
      }
    }));
    // Hedges at 250 ms; the next would start at 500 ms, past the 400 ms deadline.
    TestGateway gateway = harness.start(config(delay(250).put("maxHedges", 3), null, 400L, backend.port()));

    Reply reply = client.get(gateway.port(), "/items");

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 400 ms deadline (headroom for a loaded machine)")
        .isBetween(390L, 400L + 800L);
    Await.result(bothClosed.future(), 5_000);
    assertThat(closed).containsExactlyInAnyOrder("1", "2");
    // A sentinel request after the deadline: had a third attempt been scheduled, it would be in by now.
    backend.handler(req -> req.response().end("sentinel"));
    assertThat(client.get(gateway.port(), "/sentinel").body()).isEqualTo("sentinel");
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/items", "/items", "/sentinel");
  }

  @Test
  void adminRoutesShowsTheEffectiveHedge() {
    FakeBackend backend = harness.okBackend("ok");
    TestGateway gateway = harness.start(config(new JsonObject().put("percentile", 95), null, 5_000L, backend.port()));

    JsonObject route = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes")).getJsonArray("routes")
        .getJsonObject(0);

    JsonObject expected = new JsonObject().put("percentile", 95).put("maxHedges", 1);
    assertThat(route.getJsonObject("hedge")).isEqualTo(expected);
    assertThat(route.getJsonObject("effective").getJsonObject("svc").getJsonObject("hedge")).isEqualTo(expected);
  }
}
