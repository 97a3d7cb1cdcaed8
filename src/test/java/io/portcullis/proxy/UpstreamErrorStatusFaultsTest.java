package io.portcullis.proxy;

import static io.portcullis.proxy.FaultMatrix.DEADLINE_HEADER;
import static io.portcullis.proxy.FaultMatrix.UPSTREAM;
import static io.portcullis.proxy.FaultMatrix.attempts;
import static io.portcullis.proxy.FaultMatrix.circuitGauge;
import static io.portcullis.proxy.FaultMatrix.config;
import static io.portcullis.proxy.FaultMatrix.retries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault matrix, the upstream answers with an error status (README "Errors", "How a request flows"
 * and "Endpoints"): an upstream's {@code Retry-After} does not lengthen the backoff, and the
 * upstream's own answer is passed through when no retry is left or the backoff would pass the
 * deadline; failing statuses open the breaker,
 * which half-opens and recovers; the retry budget caps amplification during a full outage. Each
 * row checks the attempt counters and the breaker state too.
 */
class UpstreamErrorStatusFaultsTest {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamErrorStatusFaultsTest.class);

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @Test
  void anUpstreamsRetryAfterDoesNotLengthenTheBackoff() {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> {
      arrivals.add(System.nanoTime());
      if (backend.requests() == 1) {
        req.response().setStatusCode(503).putHeader("Retry-After", "5").end("busy");
      } else {
        req.response().end("ok now");
      }
    });
    TestGateway gateway = harness.start(config("{\"retry\":{\"baseDelayMs\":10,\"maxDelayMs\":20}}",
        3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/later");

    // CONTRACT §5: the sleep before a retry is the jittered backoff, at most maxDelayMs (20 ms).
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("ok now");
    assertThat(arrivals).hasSize(2);
    assertThat((arrivals.get(1) - arrivals.get(0)) / 1_000_000L).as("ms between the attempts")
        .isLessThan(1_000L);
  }

  @Test
  void whenNoRetryIsLeftTheLast503IsPassedThroughWithItsRetryAfter() {
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(503).putHeader("Retry-After", "5")
        .putHeader("Content-Type", "application/json").end("{\"upstream\":\"overloaded\"}"));
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":2,\"baseDelayMs\":1,\"maxDelayMs\":1}}",
        3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/busy");

    assertThat(reply.status()).as("the upstream's own status").isEqualTo(503);
    assertThat(reply.body()).as("the upstream's own body").isEqualTo("{\"upstream\":\"overloaded\"}");
    assertThat(reply.header("Retry-After")).isEqualTo("5");
    assertThat(backend.requests()).as("both attempts were made").isEqualTo(2);
  }

  @Test
  void everyRetryGoesToAnEndpointOtherThanTheOneThatJustFailedEvenOnceBothHaveBeenTried() {
    FakeBackend first = harness.backend(req -> req.response().setStatusCode(502).end("bad gateway, first"));
    FakeBackend second = harness.backend(req -> req.response().setStatusCode(502).end("bad gateway, second"));
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":1,\"maxDelayMs\":1},"
        + "\"circuitBreaker\":{\"maxFailures\":100}}", 3_000L, first.port(), second.port()));

    for (int i = 0; i < 4; i++) {
      Reply reply = client.get(gateway.port(), "/flip/" + i);
      assertThat(reply.status()).as("request %d: the upstream's own 502 once retries are spent", i).isEqualTo(502);
    }

    List<String> firstAttempts = first.seen().stream().map(s -> s.header("X-Attempt-Count")).toList();
    List<String> secondAttempts = second.seen().stream().map(s -> s.header("X-Attempt-Count")).toList();
    assertThat(firstAttempts.size() + secondAttempts.size()).as("three attempts per request").isEqualTo(12);
    // Attempts 1 and 3 of a request land on one endpoint and attempt 2 on the other: attempt 3
    // never follows attempt 2 onto the same endpoint.
    assertThat(firstAttempts.stream().filter("2"::equals).count() + secondAttempts.stream().filter("2"::equals).count())
        .isEqualTo(4);
    for (List<String> attempts : List.of(firstAttempts, secondAttempts)) {
      long seconds = attempts.stream().filter("2"::equals).count();
      long thirds = attempts.stream().filter("3"::equals).count();
      long firsts = attempts.stream().filter("1"::equals).count();
      assertThat(thirds).as("third attempts on an endpoint = first attempts on it (%s)", attempts).isEqualTo(firsts);
      assertThat(seconds + firsts).as("each request's attempts 1 and 2 on different endpoints (%s)", attempts)
          .isEqualTo(4);
    }
  }

  @Test
  void aSmallChunkedBodyIsBufferedAndReplayedOnEachRetry() throws Exception {
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> req.body().onSuccess(body -> {
      if (backend.requests() < 3) {
        req.response().setStatusCode(503).end("busy");
      } else {
        req.response().end("got " + body);
      }
    }));
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":1,\"maxDelayMs\":1}}",
        3_000L, backend.port()));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), "PUT /chunked HTTP/1.1\r\nHost: gw\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 10_000);

    assertThat(reply.status()).as("%s", reply.text()).isEqualTo(200);
    assertThat(reply.text()).endsWith("got hello world");
    assertThat(backend.requests()).as("three attempts, each with the whole body").isEqualTo(3);
    assertThat(backend.seen()).allSatisfy(seen -> assertThat(seen.header("Content-Length")).isEqualTo("11"));
  }

  static Stream<Arguments> deadlinesShorterThanTheBackoff() {
    return Stream.of(arguments("a 1 s route deadline", 1_000L, null),
        arguments("a 1 s client deadline", 3_000L, "1000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deadlinesShorterThanTheBackoff")
  void aRetryThatWouldSleepPastTheDeadlineIsNotMadeAndTheUpstreamAnswerIsPassedThrough(String story,
      long routeTimeoutMs, String clientDeadline) {
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(503)
        .putHeader("Content-Type", "application/json").end("{\"upstream\":\"overloaded\"}"));
    // A 2 s backoff.
    TestGateway gateway = harness.start(config("{\"retry\":{\"baseDelayMs\":2000,\"maxDelayMs\":2000,"
        + "\"jitter\":\"none\"}}", routeTimeoutMs, backend.port()));

    Reply reply = clientDeadline == null ? client.get(gateway.port(), "/busy")
        : client.get(gateway.port(), "/busy", DEADLINE_HEADER, clientDeadline);

    assertThat(reply.status()).as("the upstream's own status").isEqualTo(503);
    assertThat(reply.body()).as("the upstream's own body").isEqualTo("{\"upstream\":\"overloaded\"}");
    assertThat(backend.requests()).as("exactly one backend request").isEqualTo(1);
    assertThat(reply.elapsedMs()).as("answered at once, without waiting for the deadline").isLessThan(900L);
  }

  @Test
  void aThirtyPercentBrownoutOpensTheBreakerWhichHalfOpensAndRecoversOnceTheBackendIsHealthy() {
    AtomicBoolean healthy = new AtomicBoolean(false);
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> {
      int n = backend.requests();
      boolean fail = !healthy.get() && (n % 10 == 3 || n % 10 == 6 || n % 10 == 9); // 3 in every 10
      req.response().setStatusCode(fail ? 500 : 200).end(fail ? "brownout" : "ok");
    });
    // resetTimeoutMs leaves time to see the breaker open before it half-opens, even on a slow machine.
    TestGateway gateway = harness.start(config("{\"circuitBreaker\":{\"maxFailures\":5,\"rollingWindowMs\":10000,"
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
    assertThat(attempts(gateway, "500")).as("attempts answered 500").isEqualTo(5.0);
    assertThat(attempts(gateway, "200")).as("attempts answered 200").isEqualTo(ok);
    assertThat(attempts(gateway, "circuit-open")).as("attempts refused by the open breaker").isEqualTo(2.0);
    assertThat(retries(gateway)).as("maxAttempts 1: no retry").isZero();

    healthy.set(true);
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "half-open", 5_000);
    Reply trial = client.get(gateway.port(), "/brownout/trial");
    assertThat(trial.status()).isEqualTo(200);
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "closed", 2_000);
    for (int i = 0; i < 10; i++) {
      assertThat(client.get(gateway.port(), "/brownout/after/" + i).status()).isEqualTo(200);
    }
    assertThat(circuitGauge(gateway)).as("portcullis_circuit_state once closed").isEqualTo(0.0);
    assertThat(attempts(gateway, "200")).as("the trial and the 10 after it").isEqualTo(ok + 11.0);
    assertThat(attempts(gateway, "500")).isEqualTo(5.0);
    assertThat(attempts(gateway, "circuit-open")).isEqualTo(2.0);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0).getLong("totalFailures")).isEqualTo(5L);
  }

  @Test
  void theRetryBudgetCapsAmplificationUnderAFullOutage() {
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(503).end("down"));
    // 503 is not a breaker failure here, so the breaker stays out of the way of the budget.
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":2,\"maxDelayMs\":10,"
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
    LOG.info(String.format("retry amplification under full outage: %d backend attempts / %d requests = %.3f "
        + "(bound %.3f, retries metric %s, %d ms)", attempts, requests, ratio, bound, retries, elapsedMs));
    assertThat(ratio).as("backend attempts per request").isLessThanOrEqualTo(bound + 0.02);
    assertThat(ratio).as("retries did happen, within the budget").isGreaterThan(1.1);
    assertThat(retries).hasValue((double) (attempts - requests));
    assertThat(attempts(gateway, "503")).as("every backend attempt counted as 503").isEqualTo(attempts);
    // 503 is not in failureStatuses here: the outage never reached the breaker.
    JsonObject endpoint = AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0);
    assertThat(endpoint.getString("circuit")).as("breaker after the outage: %s", endpoint).isEqualTo("closed");
    assertThat(endpoint.getLong("totalFailures")).isZero();
    assertThat(circuitGauge(gateway)).isEqualTo(0.0);
  }
}
