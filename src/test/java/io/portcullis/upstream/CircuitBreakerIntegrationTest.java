package io.portcullis.upstream;

import io.portcullis.resilience.Scheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BreakerConfig;
import io.portcullis.resilience.Ticker;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * README "How a request flows", circuit breaker, end to end with two event-loop instances: one breaker per
 * endpoint shared by every loop, opened by {@code maxFailures} failures, short-circuiting with
 * 503 {@code circuit_open} + {@code Retry-After}, half-open after the jittered reset timeout
 * with one trial at a time.
 *
 * <p>The client opens a new TCP connection per request, so requests alternate between the
 * gateway's two event loops (each of which owns its own upstream connection pool).
 */
class CircuitBreakerIntegrationTest {

  private static final int MAX_FAILURES = 4;
  private static final long RESET_TIMEOUT_MS = 400;
  private static final long MAX_OPEN_MS = RESET_TIMEOUT_MS + RESET_TIMEOUT_MS / 10;
  private static final String UPSTREAM = "backend";
  private static final String BREAKER_CONFIG = "{\"circuitBreaker\":{\"maxFailures\":" + MAX_FAILURES
      + ",\"rollingWindowMs\":10000,\"resetTimeoutMs\":" + RESET_TIMEOUT_MS + "},"
      + "\"retry\":{\"maxAttempts\":1}}";

  /** Breakers that stay open for a minute, for tests that do not wait for half-open. */
  private static final long LONG_OPEN_MS = 60_000;
  private static final String LONG_OPEN_CONFIG =
      BREAKER_CONFIG.replace("\"resetTimeoutMs\":" + RESET_TIMEOUT_MS, "\"resetTimeoutMs\":" + LONG_OPEN_MS);

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.newConnectionPerRequest();

  private final GatewayClient client = harness.client();

  // ------------------------------------------------------------------------------ opening

  @Test
  void opensAfterExactlyMaxFailuresCountedAcrossBothEventLoopsAndThenAnswers503WithoutContactingTheBackend() {
    FakeBackend backend = failingBackend();
    // Open for a minute: the fifth request must find it open however slow the machine is.
    TestGateway gateway = gateway(backend, LONG_OPEN_CONFIG);

    for (int i = 1; i <= MAX_FAILURES; i++) {
      Reply reply = get(gateway);
      assertThat(reply.status()).as("request %d: the upstream's own 500 is passed through", i).isEqualTo(500);
      assertThat(reply.body()).isEqualTo("boom");
      assertThat(backend.requests()).as("request %d is the backend's hit number %d", i, i).isEqualTo(i);
    }
    // Each event loop owns its upstream pool: two upstream connections mean both loops served
    // (and both reported failures to the one shared breaker).
    assertThat(backend.connections()).as("upstream connections (one per event loop)").isGreaterThanOrEqualTo(2);

    Reply fifth = get(gateway);
    assertCircuitOpen(fifth, LONG_OPEN_MS + LONG_OPEN_MS / 10);
    assertThat(backend.requests()).as("the backend saw nothing after the breaker opened").isEqualTo(MAX_FAILURES);
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("open");
  }

  @Test
  void staysOpenUntilTheResetTimeoutWithoutTouchingTheBackend() {
    FakeBackend backend = failingBackend();
    TestGateway gateway = gateway(backend);
    long lastFailureStart = openBreaker(gateway, backend);

    // Every request inside the open period is short-circuited. Only requests sent before the
    // earliest possible half-open are judged (a slow machine may reach it during the loop).
    int judged = 0;
    while (elapsedMs(lastFailureStart) < RESET_TIMEOUT_MS - 100 && judged < 20) {
      long sentAt = System.nanoTime();
      Reply reply = get(gateway);
      if (elapsedMs(lastFailureStart, sentAt) < RESET_TIMEOUT_MS) {
        assertCircuitOpen(reply);
        judged++;
      }
    }
    assertThat(judged).as("requests judged inside the open period").isGreaterThanOrEqualTo(3);
    assertThat(backend.requests()).as("backend hits while open").isEqualTo(MAX_FAILURES);
    long untilHalfOpen = AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0).getLong("millisUntilHalfOpen");
    assertThat(untilHalfOpen).as("ms until half-open (reset timeout + at most 10%% jitter)")
        .isBetween(0L, MAX_OPEN_MS);
  }

  @Test
  void statusesNotInFailureStatusesNeverOpenIt() {
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(404).end("nope"));
    TestGateway gateway = gateway(backend);

    int requests = MAX_FAILURES * 3;
    for (int i = 1; i <= requests; i++) {
      Reply reply = get(gateway);
      assertThat(reply.status()).as("request %d", i).isEqualTo(404);
      assertThat(reply.body()).isEqualTo("nope");
    }
    assertThat(backend.requests()).isEqualTo(requests);
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("closed");
    assertThat(circuitStateGauge(gateway)).hasValue(0.0);
  }

  @Test
  void circuitStateMetricIsOneWhileOpenAndZeroWhileClosed() {
    FakeBackend backend = failingBackend();
    // Open for a minute: the gauge is read after the breaker opened, however slow the machine.
    TestGateway gateway = gateway(backend, LONG_OPEN_CONFIG);
    assertThat(circuitStateGauge(gateway)).as("closed before any failure").hasValue(0.0);

    openBreaker(gateway, backend);
    Reply refused = get(gateway);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.body()).contains("\"circuit_open\"");

    assertThat(circuitStateGauge(gateway)).as("open").hasValue(1.0);
  }

  @Test
  void circuitStateMetricShowsARoutesOwnBreakerOpenWhileTheUpstreamsStaysClosed() {
    FakeBackend backend = failingBackend();
    JsonObject config = TestGateway.proxyConfig(LONG_OPEN_CONFIG, backend.port());
    // A route of its own with two failures to open: its breaker is not the upstream's.
    config.getJsonArray("routes").add(0, new JsonObject().put("name", "strict")
        .put("match", new JsonObject().put("pathPrefix", "/strict")).put("upstream", UPSTREAM)
        .put("circuitBreaker", new JsonObject().put("maxFailures", 2)));
    TestGateway gateway = harness.start(config);

    for (int i = 1; i <= 2; i++) {
      assertThat(client.get(gateway.port(), "/strict/x").status()).as("failing request %d", i).isEqualTo(500);
    }
    assertCircuitOpen(client.get(gateway.port(), "/strict/x"), LONG_OPEN_MS + LONG_OPEN_MS / 10);

    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).as("the upstream's own breaker").isEqualTo("closed");
    assertThat(AdminProbe.upstreams(gateway.adminPort()).getJsonObject(UPSTREAM).getJsonArray("routeBreakers")
        .getJsonObject(0).getJsonArray("endpoints").getJsonObject(0).getString("circuit")).isEqualTo("open");
    assertThat(circuitStateGauge(gateway)).as("the most open of the endpoint's breakers").hasValue(1.0);
    assertThat(get(gateway).status()).as("other routes still reach the endpoint").isEqualTo(500);
  }

  // ---------------------------------------------------------------------------- half-open

  @Test
  void halfOpensAfterTheResetTimeoutAndASuccessfulTrialClosesItAndTrafficFlows() {
    FakeBackend backend = failingBackend();
    TestGateway gateway = gateway(backend);
    long lastFailureStart = openBreaker(gateway, backend);
    backend.handler(req -> req.response().end("healthy"));

    long halfOpenSeen = AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);
    assertThat(elapsedMs(lastFailureStart, halfOpenSeen))
        .as("half-open no earlier than resetTimeoutMs after the breaker opened")
        .isGreaterThanOrEqualTo(RESET_TIMEOUT_MS);
    assertThat(backend.requests()).isEqualTo(MAX_FAILURES);

    Reply trial = get(gateway);
    assertThat(trial.status()).isEqualTo(200);
    assertThat(trial.body()).isEqualTo("healthy");
    assertThat(backend.requests()).isEqualTo(MAX_FAILURES + 1);
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "closed", 2_000);

    for (int i = 0; i < 6; i++) {
      assertThat(get(gateway).status()).as("request %d after closing", i).isEqualTo(200);
    }
    assertThat(backend.requests()).isEqualTo(MAX_FAILURES + 7);
    assertThat(circuitStateGauge(gateway)).hasValue(0.0);
  }

  @Test
  void aFailedHalfOpenTrialReopensIt() {
    FakeBackend backend = failingBackend();
    TestGateway gateway = gateway(backend);
    openBreaker(gateway, backend);

    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);
    Reply trial = get(gateway);
    assertThat(trial.status()).as("the trial reached the still failing backend").isEqualTo(500);
    assertThat(backend.requests()).isEqualTo(MAX_FAILURES + 1);

    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "open", 2_000);
    for (int i = 0; i < 3; i++) {
      assertCircuitOpen(get(gateway));
    }
    assertThat(backend.requests()).as("no traffic after the failed trial").isEqualTo(MAX_FAILURES + 1);
    assertThat(circuitStateGauge(gateway)).hasValue(1.0);

    // ...and it probes again after another (jittered) open period.
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);
  }

  @Test
  void onlyOneHalfOpenTrialAtATimeConcurrentRequestsGet503() {
    FakeBackend backend = failingBackend();
    TestGateway gateway = gateway(backend);
    openBreaker(gateway, backend);

    Promise<HttpServerRequest> trialArrived = Promise.promise();
    backend.handler(req -> {
      if (!trialArrived.tryComplete(req)) {
        req.response().end("not the trial");
      }
    });
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);

    Future<Reply> trial = client.send(HttpMethod.GET, gateway.port(), "/trial", null);
    HttpServerRequest held = Await.result(trialArrived.future(), 5_000);
    assertThat(held.uri()).isEqualTo("/trial");

    List<Future<Reply>> concurrent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      concurrent.add(client.send(HttpMethod.GET, gateway.port(), "/concurrent/" + i, null));
    }
    for (Future<Reply> f : concurrent) {
      assertCircuitOpen(Await.result(f, 5_000));
    }
    assertThat(backend.requests()).as("only the trial reached the backend").isEqualTo(MAX_FAILURES + 1);
    assertThat(trial.isComplete()).as("the trial is still held by the backend").isFalse();

    held.response().end("trial ok");
    Reply trialReply = Await.result(trial, 5_000);
    assertThat(trialReply.status()).isEqualTo(200);
    assertThat(trialReply.body()).isEqualTo("trial ok");
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "closed", 2_000);
    assertThat(get(gateway).status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------------------ jitter

  @ParameterizedTest(name = "resetTimeoutMs {0}")
  @ValueSource(longs = {400, 5_000, 12_345})
  @ExtendWith(VertxExtension.class)
  void openPeriodIsTheResetTimeoutPlusAtMostTenPercentJitter(long resetTimeoutMs, Vertx vertx) {
    EndpointBreaker breaker = new EndpointBreaker(vertx, "u", "http://127.0.0.1:1",
        new BreakerConfig(5, 10_000, resetTimeoutMs, Set.of(500)), Ticker.system(), Scheduler.of(vertx), new Random(42),
        (b, to) -> { });
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      long period = breaker.jitteredResetTimeoutMs();
      assertThat((double) period).as("draw %d", i).isBetween((double) resetTimeoutMs, resetTimeoutMs * 1.1);
      distinct.add(period);
    }
    assertThat(distinct).as("jittered periods are not all equal").hasSizeGreaterThan(1);
  }

  // ------------------------------------------------------------------------------ helpers

  private static FakeBackend failingBackend() {
    return harness.backend(req -> req.response().setStatusCode(500).end("boom"));
  }

  private static TestGateway gateway(FakeBackend backend) {
    return gateway(backend, BREAKER_CONFIG);
  }

  private static TestGateway gateway(FakeBackend backend, String upstreamPolicies) {
    return harness.start(TestGateway.proxyConfig(upstreamPolicies, backend.port()));
  }

  /** Sends exactly {@code maxFailures} failing requests; returns when the last one was sent. */
  private long openBreaker(TestGateway gateway, FakeBackend backend) {
    long lastStart = 0;
    for (int i = 1; i <= MAX_FAILURES; i++) {
      lastStart = System.nanoTime();
      assertThat(get(gateway).status()).as("failing request %d", i).isEqualTo(500);
    }
    assertThat(backend.requests()).isEqualTo(MAX_FAILURES);
    return lastStart;
  }

  private Reply get(TestGateway gateway) {
    return client.get(gateway.port(), "/thing");
  }

  private static void assertCircuitOpen(Reply reply) {
    assertCircuitOpen(reply, MAX_OPEN_MS);
  }

  /** A 503 circuit_open whose Retry-After is at most {@code maxOpenMs} in whole seconds. */
  private static void assertCircuitOpen(Reply reply, long maxOpenMs) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(503);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo("circuit_open");
    String retryAfter = reply.header("Retry-After");
    assertThat(retryAfter).as("Retry-After").isNotNull().matches("[0-9]+");
    assertThat(Long.parseLong(retryAfter)).as("Retry-After: whole seconds until half-open, rounded up")
        .isBetween(1L, (maxOpenMs + 999) / 1000);
  }

  private static OptionalDouble circuitStateGauge(TestGateway gateway) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_circuit_state",
        Map.of("upstream", UPSTREAM));
  }

  private static long elapsedMs(long startNanos) {
    return elapsedMs(startNanos, System.nanoTime());
  }

  private static long elapsedMs(long startNanos, long endNanos) {
    return (endNanos - startNanos) / 1_000_000L;
  }
}
