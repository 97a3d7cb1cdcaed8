package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * README "How a request flows", deadlines end to end: the budget, the header carrying what is left to
 * each attempt, 504 at the deadline with the upstream request reset, cancellation on client
 * disconnect, and the per-try timeout.
 */
class DeadlineIntegrationTest {

  private static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  // ------------------------------------------------------------------------------ budget

  static Stream<Arguments> budgets() {
    return Stream.of(
        // story, route timeoutMs (null: deadline.defaultMs), deadline config, client header, grpc-timeout, budget
        arguments("grpc-timeout is the smallest", 2_000L, new JsonObject().put("defaultMs", 5_000).put("maxMs", 5_000), "1000", "250m", 250L),
        arguments("client header is the smallest", 2_000L, new JsonObject().put("defaultMs", 5_000).put("maxMs", 5_000), "300", "2S", 300L),
        arguments("route timeout is the smallest", 350L, new JsonObject().put("defaultMs", 5_000).put("maxMs", 5_000), "5000", "10S", 350L),
        arguments("deadline.maxMs caps a larger client header", null,
            new JsonObject().put("defaultMs", 400).put("maxMs", 400), "5000", "1M", 400L),
        arguments("deadline.defaultMs applies without headers", null,
            new JsonObject().put("defaultMs", 450).put("maxMs", 5_000), null, null, 450L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("budgets")
  void budgetIsTheMinimumOfRouteTimeoutClientHeaderGrpcTimeoutAndMaxMs(String story, Long routeTimeoutMs,
      JsonObject deadline, String clientHeader, String grpcTimeout, long budget) {
    FakeBackend backend = harness.okBackend("ok");
    JsonObject config = config(null, routeTimeoutMs, backend.port()).put("deadline", deadline);
    TestGateway gateway = harness.start(config);

    List<String> headers = new ArrayList<>();
    if (clientHeader != null) {
      headers.add(DEADLINE_HEADER);
      headers.add(clientHeader);
    }
    if (grpcTimeout != null) {
      headers.add("grpc-timeout");
      headers.add(grpcTimeout);
    }
    // Warm-up: class loading and the upstream connection are not charged to the measured request.
    assertThat(client.get(gateway.port(), "/budget").status()).isEqualTo(200);
    Reply reply = client.get(gateway.port(), "/budget", headers.toArray(String[]::new));

    assertThat(reply.status()).isEqualTo(200);
    String sent = backend.seen().get(backend.seen().size() - 1).header(DEADLINE_HEADER);
    assertThat(sent).as("deadline header sent upstream").isNotNull().matches("[0-9]+");
    assertThat(Long.parseLong(sent)).as("ms left when the attempt was sent, budget %d", budget)
        .isLessThanOrEqualTo(budget)
        .isGreaterThan(budget - 100);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"0", "-5", "abc", "1.5", ""})
  void aDeadlineHeaderThatIsNotAPositiveIntegerIsRefusedWith400(String value) {
    FakeBackend backend = harness.okBackend("ok");
    TestGateway gateway = harness.start(config(null, 2_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/bad", DEADLINE_HEADER, value);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo("bad_request");
    // The route matched before the header was read: the error names it and its upstream.
    assertThat(reply.json().getString("route")).isEqualTo("all");
    assertThat(reply.json().getString("upstream")).isEqualTo("backend");
    assertThat(backend.requests()).as("nothing sent upstream").isZero();
  }

  // ------------------------------------------------------------- header sent upstream, retries

  @Test
  void eachRetryCarriesTheAttemptNumberAndAStrictlySmallerPositiveDeadline() {
    // Each failing answer takes 20 ms, like a real backend, so time passes between attempts.
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> {
      if (backend.requests() <= 2) {
        backend.vertx().setTimer(20, id -> req.response().setStatusCode(503).end("busy"));
      } else {
        req.response().end("finally");
      }
    });
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3}}", 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/retry");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("finally");
    List<FakeBackend.Seen> seen = backend.seen();
    assertThat(seen).extracting(s -> s.header("X-Attempt-Count")).containsExactly("1", "2", "3");
    List<Long> deadlines = seen.stream().map(s -> Long.parseLong(s.header(DEADLINE_HEADER))).toList();
    assertThat(deadlines).allSatisfy(d -> assertThat(d).isPositive().isLessThanOrEqualTo(3_000L));
    assertThat(deadlines).as("deadline header per attempt").isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(deadlines).as("strictly decreasing").doesNotHaveDuplicates();
  }

  @Test
  void retriesOfAnInstantlyFailingBackendStillCarryStrictlySmallerDeadlines() {
    // A backend that fails at once and a 0-1 ms backoff: an attempt and its sleep can take
    // less than a millisecond, and the header must still be smaller on each retry (README "How a request flows").
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> req.response().setStatusCode(backend.requests() % 3 == 0 ? 200 : 503).end("x"));
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":1,\"maxDelayMs\":1},"
        + "\"circuitBreaker\":{\"failureStatuses\":[500]}}", 3_000L, backend.port()));

    List<String> notDecreasing = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int before = backend.requests();
      assertThat(client.get(gateway.port(), "/fast/" + i).status()).isEqualTo(200);
      List<FakeBackend.Seen> attempts = backend.seen().subList(before, backend.requests());
      assertThat(attempts).extracting(s -> s.header("X-Attempt-Count")).containsExactly("1", "2", "3");
      for (int a = 1; a < attempts.size(); a++) {
        long previous = Long.parseLong(attempts.get(a - 1).header(DEADLINE_HEADER));
        long current = Long.parseLong(attempts.get(a).header(DEADLINE_HEADER));
        if (current >= previous || current <= 0) {
          notDecreasing.add("request " + i + ", attempt " + (a + 1) + ": " + previous + " -> " + current);
        }
      }
    }
    assertThat(notDecreasing).as("retries whose deadline header is not strictly smaller than the previous one")
        .isEmpty();
  }

  // ------------------------------------------------------------------------ deadline passes

  @Test
  void aHangingUpstreamGives504AtTheDeadlineAndItsConnectionIsReset() {
    Promise<Void> upstreamClosed = Promise.promise();
    FakeBackend backend = harness.backend(req ->
        req.connection().closeHandler(v -> upstreamClosed.tryComplete()));
    TestGateway gateway = harness.start(config(null, 5_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/hang", DEADLINE_HEADER, "500");

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 500 ms deadline").isBetween(490L, 500L + 250L);
    Await.result(upstreamClosed.future(), 2_000);
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void aClientThatDisconnectsCancelsItsUpstreamRequest() throws Exception {
    Promise<Void> arrived = Promise.promise();
    Promise<Void> upstreamClosed = Promise.promise();
    FakeBackend backend = harness.backend(req -> {
      req.connection().closeHandler(v -> upstreamClosed.tryComplete());
      arrived.tryComplete();
    });
    TestGateway gateway = harness.start(config(null, 10_000L, backend.port()));

    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /slow HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Await.result(arrived.future(), 5_000);
    }
    long closedAt = System.nanoTime();

    // Far sooner than the 10 s deadline: the disconnect itself cancelled the upstream request.
    Await.result(upstreamClosed.future(), 2_000);
    assertThat((System.nanoTime() - closedAt) / 1_000_000L).isLessThan(2_000L);
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void perTryTimeoutBoundsEachAttemptAndTheRetrySucceeds() {
    Promise<Void> firstAttemptClosed = Promise.promise();
    FakeBackend backend = harness.backend(req -> { });
    backend.handler(req -> {
      if (backend.requests() == 1) {
        req.connection().closeHandler(v -> firstAttemptClosed.tryComplete()); // hang
      } else {
        req.response().end("second");
      }
    });
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3,\"perTryTimeoutMs\":300}}", 3_000L,
        backend.port()));

    Reply reply = client.get(gateway.port(), "/per-try");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("second");
    assertThat(backend.seen()).extracting(s -> s.header("X-Attempt-Count")).containsExactly("1", "2");
    assertThat(reply.elapsedMs()).as("one per-try timeout, then a quick answer")
        .isBetween(300L, 300L + 250L + 250L);
    Await.result(firstAttemptClosed.future(), 2_000);
  }

  // ------------------------------------------------------------------------------ helpers

  private static JsonObject config(String upstreamExtra, Long routeTimeoutMs, int port) {
    JsonObject config = TestGateway.proxyConfig(upstreamExtra, port);
    if (routeTimeoutMs != null) {
      config.getJsonArray("routes").getJsonObject(0).put("timeoutMs", routeTimeoutMs);
    }
    return config;
  }
}
