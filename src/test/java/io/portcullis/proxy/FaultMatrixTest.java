package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.JvmWarmup;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.RefusedPort;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream fault matrix of README "Errors" and "How a request flows", end to end on real sockets: what the client
 * sees, and how many times the upstream is hit, for each way an upstream can fail.
 */
class FaultMatrixTest {

  private static final String UPSTREAM = "backend";
  private static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";

  private static GatewayClient client;

  @RegisterExtension
  final Closer toClose = new Closer();

  @BeforeAll
  static void startClient() {
    JvmWarmup.once();
    client = GatewayClient.create(true);
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }


  // ------------------------------------------------------------------- connect refused

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void connectRefusedIsRetriedUpToMaxAttemptsForAnyMethodThenAnswers502(HttpMethod method) throws IOException {
    int refused = refusedPort();
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":3}}", 3_000L, refused));

    Reply reply = client.request(method, gateway.port(), "/refused", method == HttpMethod.POST ? "{}" : null);

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(attempts(gateway, "connect-failure")).as("connect attempts")
        .hasValue(3.0);
  }

  static Stream<HttpMethod> methods() {
    return Stream.of(HttpMethod.GET, HttpMethod.POST);
  }

  @Test
  void aRetryAfterConnectRefusedGoesToTheOtherEndpointAndSucceeds() throws IOException {
    int refused = refusedPort();
    FakeBackend healthy = backend(FakeBackend.ok("from the healthy one"));
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":2}}", 3_000L, refused, healthy.port()));

    for (int i = 0; i < 4; i++) {
      Reply reply = client.get(gateway.port(), "/two/" + i);
      assertThat(reply.status()).as("request %d: %s", i, reply).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("from the healthy one");
    }
    assertThat(attempts(gateway, "connect-failure")).as("attempts on the refusing endpoint").isPresent();
    assertThat(healthy.seen()).as("retries that landed on the healthy endpoint")
        .anySatisfy(s -> assertThat(s.header("X-Attempt-Count")).isEqualTo("2"));
  }

  // ------------------------------------------------------------- reset before the response

  static Stream<Arguments> resetBeforeResponse() {
    return Stream.of(
        arguments(HttpMethod.GET, null, 3),
        arguments(HttpMethod.POST, "{\"order\":1}", 1));
  }

  @ParameterizedTest(name = "{0}: {2} attempt(s)")
  @MethodSource("resetBeforeResponse")
  void aResetBeforeTheResponseIs502AndRetriedOnlyForIdempotentMethods(HttpMethod method, String body,
      int expectedAttempts) {
    FaultBackend backend = backend(FaultBackend.start(FaultBackend.closeAfterRequest()));
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":3}}", 3_000L, backend.port()));

    Reply reply = client.request(method, gateway.port(), "/reset", body);

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(backend.requestCount()).as("requests the backend read").isEqualTo(expectedAttempts);
  }

  // ---------------------------------------------------------------- broken response bodies

  @Test
  void aResetMidBodyNeverLooksLikeACompleteResponseToTheClient() throws IOException {
    FaultBackend backend = backend(FaultBackend.start(FaultBackend.truncatedBody(100_000, 10)));
    TestGateway gateway = gateway(config(null, 3_000L, backend.port()));

    // A real client reports the short body as an error...
    Throwable failure = Await.failure(client.send(HttpMethod.GET, gateway.port(), "/cut", null));
    assertThat(failure).as("client read of a body cut short").isNotNull();

    // ...and on the wire the connection ends before Content-Length bytes arrived.
    RawHttp.Reply raw = RawHttp.exchange(gateway.port(), "GET /cut HTTP/1.1\r\nHost: gw\r\n\r\n", 5_000);
    assertThat(raw.closed()).as("connection closed by the gateway").isTrue();
    assertNeverComplete(raw);
  }

  static Stream<Arguments> bodiesPastTheDeadline() {
    return Stream.of(
        arguments("headers then a stalled body", FaultBackend.stalledBody(1_000)),
        arguments("a body trickling one byte per 20 ms", FaultBackend.trickle(1_000, 20)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodiesPastTheDeadline")
  void aBodyStillIncompleteAtTheDeadlineEndsTheClientConnectionAtTheDeadline(String story,
      FaultBackend.Behaviour behaviour) throws IOException {
    FaultBackend backend = backend(FaultBackend.start(behaviour));
    TestGateway gateway = gateway(config(null, 500L, backend.port()));

    long start = System.nanoTime();
    RawHttp.Reply raw = RawHttp.exchange(gateway.port(), "GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n", 5_000);
    long elapsed = (System.nanoTime() - start) / 1_000_000L;

    assertThat(raw.closed()).as("the gateway ended the connection (not our read timeout)").isTrue();
    assertThat(elapsed).as("client read ended at the 500 ms deadline").isBetween(450L, 500L + 500L);
    if (raw.status() == 504) {
      assertThat(raw.text()).contains("\"deadline_exceeded\"");
    } else {
      assertNeverComplete(raw); // reset: the client never sees a complete 200
    }
    Await.result(backend.connections().get(0).closed(), 2_000);
  }

  @Test
  void aMalformedStatusLineIs502AndNeverForwarded() {
    FaultBackend backend = backend(FaultBackend.start(FaultBackend.writeRaw("HTTP/1.1 abc\r\n\r\n")));
    TestGateway gateway = gateway(config(null, 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/garbage");

    assertGatewayError(reply, 502, "upstream_unavailable"); // the gateway's own JSON, not the garbage
    assertThat(reply.elapsedMs()).as("judged at once, not at the deadline").isLessThan(2_000L);
  }

  // ------------------------------------------------------------------------- Retry-After

  @Test
  void a503WithRetryAfterIsRetriedAfterThatDelayWithinTheDeadline() {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    FakeBackend backend = backend(FakeBackend.start(req -> { }));
    backend.handler(req -> {
      arrivals.add(System.nanoTime());
      if (backend.requests() == 1) {
        req.response().setStatusCode(503).putHeader("Retry-After", "1").end("busy");
      } else {
        req.response().end("ok now");
      }
    });
    TestGateway gateway = gateway(config(null, 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/later");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("ok now");
    assertThat(arrivals).hasSize(2);
    assertThat((arrivals.get(1) - arrivals.get(0)) / 1_000_000L).as("ms between the attempts")
        .isGreaterThanOrEqualTo(900L);
    assertThat(reply.elapsedMs()).isLessThan(3_000L);
  }

  static Stream<Arguments> retriesThatWouldSleepPastTheDeadline() {
    return Stream.of(
        arguments("Retry-After: 5 with a 1 s route deadline", "{}", 1_000L, null, "5"),
        arguments("Retry-After: 5 with a 1 s client deadline", "{}", 3_000L, "1000", "5"),
        arguments("a 2 s backoff with a 1 s deadline", "{\"retry\":{\"baseDelayMs\":2000,\"maxDelayMs\":2000,"
            + "\"jitter\":\"none\"}}", 1_000L, null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retriesThatWouldSleepPastTheDeadline")
  void aRetryThatWouldSleepPastTheDeadlineIsNotMadeAndTheUpstreamAnswerIsPassedThrough(String story,
      String upstreamExtra, long routeTimeoutMs, String clientDeadline, String retryAfter) {
    FakeBackend backend = backend(FakeBackend.start(req -> {
      if (retryAfter != null) {
        req.response().putHeader("Retry-After", retryAfter);
      }
      req.response().setStatusCode(503).putHeader("Content-Type", "application/json")
          .end("{\"upstream\":\"overloaded\"}");
    }));
    TestGateway gateway = gateway(config(upstreamExtra, routeTimeoutMs, backend.port()));

    Reply reply = clientDeadline == null ? client.get(gateway.port(), "/busy")
        : client.get(gateway.port(), "/busy", DEADLINE_HEADER, clientDeadline);

    assertThat(reply.status()).as("the upstream's own status").isEqualTo(503);
    assertThat(reply.body()).as("the upstream's own body").isEqualTo("{\"upstream\":\"overloaded\"}");
    if (retryAfter != null) {
      assertThat(reply.header("Retry-After")).isEqualTo(retryAfter);
    }
    assertThat(backend.requests()).as("exactly one backend request").isEqualTo(1);
    assertThat(reply.elapsedMs()).as("answered at once, without waiting for the deadline").isLessThan(900L);
  }

  // ------------------------------------------------------------- brownout and the breaker

  @Test
  void aThirtyPercentBrownoutOpensTheBreakerWhichHalfOpensAndRecoversOnceTheBackendIsHealthy() {
    AtomicBoolean healthy = new AtomicBoolean(false);
    FakeBackend backend = backend(FakeBackend.start(req -> { }));
    backend.handler(req -> {
      int n = backend.requests();
      boolean fail = !healthy.get() && (n % 10 == 3 || n % 10 == 6 || n % 10 == 9); // 3 in every 10
      req.response().setStatusCode(fail ? 500 : 200).end(fail ? "brownout" : "ok");
    });
    // resetTimeoutMs leaves time to see the breaker open before it half-opens, even on a slow machine.
    TestGateway gateway = gateway(config("{\"circuitBreaker\":{\"maxFailures\":5,\"rollingWindowMs\":10000,"
        + "\"resetTimeoutMs\":1500},\"retry\":{\"maxAttempts\":1}}", 3_000L, backend.port()));

    int sent = 0;
    int ok = 0;
    int failed = 0;
    Reply reply = null;
    while (sent < 100) {
      reply = client.get(gateway.port(), "/brownout/" + sent);
      sent++;
      if (reply.status() == 503) {
        break;
      }
      if (reply.status() == 200) {
        ok++;
      } else {
        assertThat(reply.status()).isEqualTo(500);
        failed++;
      }
    }
    assertThat(reply.status()).as("the breaker opened during the brownout (after %d requests)", sent)
        .isEqualTo(503);
    assertThat(reply.errorCode()).isEqualTo("circuit_open");
    assertThat(failed).as("failures that opened it").isEqualTo(5);
    assertThat(ok).as("successes meanwhile (a 30%% brownout)").isGreaterThan(failed);
    JsonObject opened = AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0);
    assertThat(opened.getString("circuit")).as("breaker state right after it opened: %s", opened).isEqualTo("open");
    assertThat(opened.getLong("totalFailures")).as("failures recorded").isEqualTo(5L);
    assertThat(circuitGauge(gateway)).as("portcullis_circuit_state while open").isEqualTo(1.0);
    int seenWhenOpened = backend.requests();
    assertThat(client.get(gateway.port(), "/brownout/open").status()).isEqualTo(503);
    assertThat(backend.requests()).isEqualTo(seenWhenOpened);
    assertThat(attemptCount(gateway, "500")).as("attempts answered 500").isEqualTo(5.0);
    assertThat(attemptCount(gateway, "200")).as("attempts answered 200").isEqualTo(ok);
    assertThat(attemptCount(gateway, "circuit-open")).as("attempts refused by the open breaker").isEqualTo(2.0);
    assertThat(retriesCount(gateway)).as("maxAttempts 1: no retry").isZero();

    healthy.set(true);
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);
    Reply trial = client.get(gateway.port(), "/brownout/trial");
    assertThat(trial.status()).isEqualTo(200);
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "closed", 2_000);
    for (int i = 0; i < 10; i++) {
      assertThat(client.get(gateway.port(), "/brownout/after/" + i).status()).isEqualTo(200);
    }
    assertThat(circuitGauge(gateway)).as("portcullis_circuit_state once closed").isEqualTo(0.0);
    assertThat(attemptCount(gateway, "200")).as("the trial and the 10 after it").isEqualTo(ok + 11.0);
    assertThat(attemptCount(gateway, "500")).isEqualTo(5.0);
    assertThat(attemptCount(gateway, "circuit-open")).isEqualTo(2.0);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0).getLong("totalFailures")).isEqualTo(5L);
  }

  // ------------------------------------------------------------------------ retry budget

  @Test
  void theRetryBudgetCapsAmplificationUnderAFullOutage() {
    FakeBackend backend = backend(FakeBackend.start(req -> req.response().setStatusCode(503).end("down")));
    // 503 is not a breaker failure here, so the breaker stays out of the way of the budget.
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":2,\"maxDelayMs\":10,"
        + "\"budgetRatio\":0.2,\"budgetMinPerSecond\":1},\"circuitBreaker\":{\"failureStatuses\":[500]}}",
        3_000L, backend.port()));

    int requests = 200;
    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      Reply reply = client.get(gateway.port(), "/outage/" + i);
      assertThat(reply.status()).as("request %d", i).isEqualTo(503);
      assertThat(reply.body()).isEqualTo("down");
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000L;

    int attempts = backend.requests();
    double ratio = (double) attempts / requests;
    double bound = 1 + 0.2 + (1.0 * 10) / requests;
    OptionalDouble retries = AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_retries_total",
        Map.of("upstream", UPSTREAM));
    System.out.printf("retry amplification under full outage: %d backend attempts / %d requests = %.3f "
        + "(bound %.3f, retries metric %s, %d ms)%n", attempts, requests, ratio, bound, retries, elapsedMs);
    assertThat(ratio).as("backend attempts per request").isLessThanOrEqualTo(bound + 0.02);
    assertThat(ratio).as("retries did happen, within the budget").isGreaterThan(1.1);
    assertThat(retries).hasValue((double) (attempts - requests));
    assertThat(attemptCount(gateway, "503")).as("every backend attempt counted as 503").isEqualTo(attempts);
    // 503 is not in failureStatuses here: the outage never reached the breaker.
    JsonObject endpoint = AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0);
    assertThat(endpoint.getString("circuit")).as("breaker after the outage: %s", endpoint).isEqualTo("closed");
    assertThat(endpoint.getLong("totalFailures")).isZero();
    assertThat(circuitGauge(gateway)).isEqualTo(0.0);
  }

  // ------------------------------------------------------------------------------ helpers

  private FakeBackend backend(FakeBackend backend) {
    toClose.add(backend);
    return backend;
  }

  private FaultBackend backend(FaultBackend backend) {
    toClose.add(backend);
    return backend;
  }

  private TestGateway gateway(JsonObject config) {
    TestGateway gateway = TestGateway.start(config);
    toClose.add(gateway);
    return gateway;
  }

  private static JsonObject config(String upstreamExtra, long routeTimeoutMs, int... ports) {
    JsonObject config = TestGateway.proxyConfig(upstreamExtra, ports);
    config.getJsonArray("routes").getJsonObject(0).put("timeoutMs", routeTimeoutMs);
    return config;
  }

  /**
   * A port that refuses connects, reserved until the test ends (a closed probe socket's port
   * could be handed to the gateway itself, which would then proxy to itself).
   */
  private int refusedPort() throws IOException {
    RefusedPort refused = RefusedPort.open();
    toClose.add(refused);
    return refused.port();
  }

  private static OptionalDouble attempts(TestGateway gateway, String outcome) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_upstream_attempts_total",
        Map.of("upstream", UPSTREAM, "outcome", outcome));
  }

  /** A counter of attempts by outcome now, 0 when it does not exist (yet). */
  private static double attemptCount(TestGateway gateway, String outcome) {
    return AdminProbe.counter(gateway.adminPort(), "portcullis_upstream_attempts_total",
        Map.of("upstream", UPSTREAM, "outcome", outcome));
  }

  private static double retriesCount(TestGateway gateway) {
    return AdminProbe.counter(gateway.adminPort(), "portcullis_retries_total", Map.of("upstream", UPSTREAM));
  }

  /** {@code portcullis_circuit_state} of the only endpoint (0 closed, 1 open, 2 half-open). */
  private static double circuitGauge(TestGateway gateway) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_circuit_state",
        Map.of("upstream", UPSTREAM)).orElseThrow();
  }

  private static void assertGatewayError(Reply reply, int status, String code) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo(code);
    assertThat(reply.json().getString("upstream")).isEqualTo(UPSTREAM);
  }

  /**
   * The raw reply ended (reset or closed) before a complete response: nothing at all, or a head
   * whose body is shorter than its Content-Length (or lacks the last chunk).
   */
  private static void assertNeverComplete(RawHttp.Reply raw) {
    String text = raw.text();
    if (text.isEmpty()) {
      return; // reset before any byte
    }
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return; // not even a whole head
    }
    String head = text.substring(0, headEnd).toLowerCase();
    String body = text.substring(headEnd + 4);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("content-length: *([0-9]+)").matcher(head);
    if (m.find()) {
      assertThat(body.length()).as("body bytes received").isLessThan(Integer.parseInt(m.group(1)));
    } else {
      assertThat(head).contains("transfer-encoding: chunked");
      assertThat(body).as("chunked body never terminated").doesNotEndWith("0\r\n\r\n");
    }
  }
}
