package io.portcullis.proxy;

import io.portcullis.lifecycle.GatewayOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.BlackHole;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.JvmWarmup;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * More of the fault matrix (README "Errors", "How a request flows" and "Endpoints"), end to end on real sockets: a black-holed
 * endpoint, broken response framing, slow clients on either direction, and slowloris. Each case
 * checks what the client sees, whether a retry happened, the breaker state afterwards and the
 * attempt counters ({@code portcullis_upstream_attempts_total{outcome}}).
 */
class FaultMatrixMoreTest {

  private static final String UPSTREAM = "backend";
  private static final String ATTEMPTS = "portcullis_upstream_attempts_total";
  private static final String RETRIES = "portcullis_retries_total";
  private static final long HEADER_TIMEOUT_MS = 1_500L;

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


  // ------------------------------------------------------------------ (a) black-holed endpoint

  @Test
  void aBlackHoledEndpointTimesOutEachConnectIsRetriedThenAnswers502AndOpensTheBreaker() throws IOException {
    BlackHole hole = closeLater(BlackHole.open());
    TestGateway gateway = gateway(config("{\"connectTimeoutMs\":200,\"retry\":{\"maxAttempts\":3},"
        + "\"circuitBreaker\":{\"maxFailures\":3,\"resetTimeoutMs\":60000}}", 5_000L, hole.port()));

    Reply reply = client.get(gateway.port(), "/hole");

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(reply.elapsedMs()).as("three connects of 200 ms each, not the 5 s deadline")
        .isBetween(3 * 200L - 50L, 4_000L);
    assertThat(attempts(gateway, "connect-failure")).as("connect attempts").isEqualTo(3.0);
    assertThat(retries(gateway)).as("retries").isEqualTo(2.0);
    // Three connect failures reach maxFailures: the endpoint is taken out.
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "open", 2_000);

    Reply next = client.get(gateway.port(), "/hole/again");
    assertGatewayError(next, 503, "circuit_open");
    assertThat(next.header("Retry-After")).as("seconds until half-open").isNotNull();
    assertThat(next.elapsedMs()).as("no network touched").isLessThan(150L);
    assertThat(attempts(gateway, "connect-failure")).as("no new connect").isEqualTo(3.0);
    assertThat(attempts(gateway, "circuit-open")).isEqualTo(1.0);
  }

  @Test
  void aBlackHoledEndpointWithADeadlineShorterThanTheRetriesAnswers504AtTheDeadline() throws IOException {
    BlackHole hole = closeLater(BlackHole.open());
    TestGateway gateway = gateway(config("{\"connectTimeoutMs\":200,\"retry\":{\"maxAttempts\":10}}",
        500L, hole.port()));

    Reply reply = client.get(gateway.port(), "/hole");

    assertGatewayError(reply, 504, "deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 500 ms deadline").isBetween(450L, 500L + 500L);
    // Every attempt either timed out connecting or was cut by the deadline mid-connect; the
    // last one is counted when its connect gives up, after the client has its answer.
    double connectFailures = attempts(gateway, "connect-failure");
    assertThat(connectFailures).as("connects that timed out before the deadline").isBetween(1.0, 3.0);
    AdminProbe.awaitCounter(gateway.adminPort(), ATTEMPTS, labels("cancelled"), 1.0, 2_000);
    assertThat(retries(gateway)).as("one retry per attempt after the first").isEqualTo(connectFailures);
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).as("below the default maxFailures of 5")
        .isEqualTo("closed");
  }

  // ------------------------------------------------------------ (b) truncated chunked body

  @Test
  void aChunkedBodyCutShortByTheUpstreamNeverLooksCompleteToTheClient() throws IOException {
    // The chunk header announces 0x64 = 100 bytes; 10 arrive, then the connection closes.
    FaultBackend backend = closeLater(FaultBackend.start(FaultBackend.writeRawThenClose(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "x".repeat(10))));
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":3}}", 3_000L, backend.port()));

    Throwable failure = Await.failure(client.send(HttpMethod.GET, gateway.port(), "/cut", null));
    assertThat(failure).as("a real client reports the cut body as an error").isNotNull();

    RawHttp.Reply raw = RawHttp.exchange(gateway.port(), "GET /cut HTTP/1.1\r\nHost: gw\r\n\r\n", 5_000);
    assertThat(raw.closed()).as("connection closed by the gateway").isTrue();
    assertThat(raw.status()).as("the head had gone out already").isEqualTo(200);
    assertNeverComplete(raw);

    // The head arrived, so the attempt was "200": nothing to retry once bytes went to the client.
    assertThat(backend.requestCount()).as("one backend request per client request").isEqualTo(2);
    assertThat(backend.requests()).allSatisfy(r -> assertThat(r.header("X-Attempt-Count")).isEqualTo("1"));
    assertThat(retries(gateway)).isZero();
    assertThat(attempts(gateway, "200")).isEqualTo(2.0);
    // Pins current behaviour (see the report): a reset after the head is not an attempt
    // failure, neither in the counters nor for the breaker.
    assertThat(attempts(gateway, "reset")).isZero();
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("closed");
  }

  // -------------------------------------------------------------- (c) malformed framing

  /**
   * Both {@code Content-Length} and {@code Transfer-Encoding: chunked} (RFC 9112 §6.3: chunked
   * wins, and a proxy must remove Content-Length). Netty's response decoder drops the
   * Content-Length; the gateway then re-frames the body itself (chunked towards the client), so
   * the message cannot desynchronise the client: the lying length never reaches it. The
   * assertion is on the wire: one well-framed response, then a second exchange on the same
   * client connection that parses cleanly.
   */
  @Test
  void anUpstreamResponseWithContentLengthAndChunkedIsReframedNeverForwardedAsIs() throws IOException {
    FaultBackend backend = closeLater(FaultBackend.start(FaultBackend.writeRaw(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n")));
    TestGateway gateway = gateway(config(null, 3_000L, backend.port()));

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      conn.send("GET /both/1 HTTP/1.1\r\nHost: gw\r\n\r\n");
      String first = conn.awaitResponses(1, 5_000).get(0);
      conn.send("GET /both/2 HTTP/1.1\r\nHost: gw\r\n\r\n");
      List<String> both = conn.awaitResponses(2, 5_000);

      for (String response : both) {
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).startsWith("http/1.1 200");
        boolean hasLength = head.contains("\r\ncontent-length:");
        boolean chunked = head.contains("\r\ntransfer-encoding: chunked");
        assertThat(hasLength && chunked).as("never both framings: %s", head).isFalse();
        assertThat(head).as("never the upstream's lying length").doesNotContain("content-length: 3");
        assertThat(RawConnection.body(response)).as("the whole chunked body").isEqualTo("hello");
      }
      assertThat(both.get(0)).isEqualTo(first);
      assertThat(conn.text()).as("nothing after the two responses (no desync)")
          .isEqualTo(both.get(0) + both.get(1));
    }
    assertThat(backend.requestCount()).isEqualTo(2);
    assertThat(attempts(gateway, "200")).isEqualTo(2.0);
    assertThat(retries(gateway)).isZero();
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("closed");
  }

  static Stream<Arguments> unframeableResponses() {
    return Stream.of(
        arguments("two different Content-Length values",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"),
        arguments("a non-numeric Content-Length",
            "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unframeableResponses")
  void anUpstreamResponseWhoseLengthCannotBeKnownIs502AndNeverForwarded(String story, String raw) {
    FaultBackend backend = closeLater(FaultBackend.start(FaultBackend.writeRaw(raw)));
    TestGateway gateway = gateway(config("{\"retry\":{\"maxAttempts\":1}}", 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/framing");

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(reply.body()).doesNotContain("hello");
    assertThat(reply.elapsedMs()).as("judged at once").isLessThan(2_000L);
    assertThat(backend.requestCount()).isEqualTo(1);
    assertThat(attempts(gateway, "reset")).as("a head that cannot be decoded is a reset").isEqualTo(1.0);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0).getString("circuit")).isEqualTo("closed");
  }

  // ----------------------------------------------------------------- (d) slow client upload

  /**
   * A client that sends its head and then the body one byte per 200 ms, past the 1 s route
   * deadline. A chunked body is streamed, so the upstream already has the request: it is reset.
   * A small body with a Content-Length is buffered for replay first, so the upstream never sees
   * anything. Either way the client gets 504 at the deadline and the connection is closed.
   */
  static Stream<Arguments> slowUploads() {
    return Stream.of(
        arguments("chunked (streamed)", "Transfer-Encoding: chunked\r\n", "1\r\nx\r\n".repeat(40), true),
        arguments("Content-Length 40 (buffered for replay)", "Content-Length: 40\r\n", "x".repeat(40), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slowUploads")
  void aSlowUploadPastTheDeadlineIs504AndTheUpstreamRequestIsReset(String story, String framing, String body,
      boolean streamed) throws IOException {
    FaultBackend backend = closeLater(FaultBackend.start((b, socket, request) -> { })); // never answers
    TestGateway gateway = gateway(config(null, 1_000L, backend.port()));

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      long start = System.nanoTime();
      conn.send("POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\n" + framing + "\r\n");
      conn.trickle(body, 200);
      String response = conn.awaitResponses(1, 5_000).get(0);
      long elapsedMs = (System.nanoTime() - start) / 1_000_000L;

      assertThat(response).startsWith("HTTP/1.1 504").contains("\"deadline_exceeded\"");
      assertThat(response.toLowerCase()).contains("\r\nconnection: close");
      assertThat(elapsedMs).as("answered at the 1 s deadline").isBetween(950L, 1_000L + 700L);
      assertThat(conn.awaitClosed(3_000)).as("the gateway closed the half-read exchange").isTrue();
    }
    if (streamed) {
      assertThat(backend.requestCount()).as("the head went upstream").isEqualTo(1);
      assertThat(backend.requests().get(0).header("X-Attempt-Count")).isEqualTo("1");
      Await.result(backend.connections().get(0).closed(), 2_000); // the upstream request was reset
      AdminProbe.awaitCounter(gateway.adminPort(), ATTEMPTS, labels("cancelled"), 1.0, 2_000);
    } else {
      assertThat(backend.connections()).as("nothing reached the upstream").isEmpty();
      assertThat(AdminProbe.metrics(gateway.adminPort())).doesNotContain(ATTEMPTS + "{");
    }
    assertThat(retries(gateway)).isZero();
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).as("a cancelled attempt is no failure")
        .isEqualTo("closed");
  }

  // --------------------------------------------------------------- (e) slow client read

  /**
   * A client that reads nothing of a 50 MiB response. The gateway must not buffer it: it stops
   * reading the upstream, so the upstream's own writes stall (its drain handler is not called
   * for 2 s) with far less than the body written. Then the client reads, and the whole body
   * arrives intact.
   */
  @Test
  void aClientThatDoesNotReadStallsTheUpstreamInsteadOfFillingTheGatewayHeap() throws IOException {
    long size = 50L * 1024 * 1024;
    FaultBackend.Flood flood = new FaultBackend.Flood(size, 2_000);
    FaultBackend backend = closeLater(FaultBackend.start(flood));
    TestGateway gateway = gateway(config(null, 40_000L, backend.port()));

    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /big HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      long writtenAtStall = Await.result(flood.stalled(), 20_000);
      System.out.printf("slow reader: upstream stalled after %d of %d bytes (%.1f MiB)%n", writtenAtStall, size,
          writtenAtStall / 1048576.0);
      assertThat(writtenAtStall).as("bytes the upstream could write before the gateway pushed back")
          .isLessThan(size / 2);
      assertThat(flood.finished().isComplete()).isFalse();

      // Now read: the body resumes and arrives whole.
      socket.setSoTimeout(20_000);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("head byte").isNotNegative();
        head.write(b);
      }
      assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200")
          .containsIgnoringCase("content-length: " + size);
      byte[] chunk = new byte[256 * 1024];
      long body = 0;
      while (body < size) {
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, size - body));
        assertThat(n).as("body read at %d", body).isNotNegative();
        body += n;
      }
      assertThat(body).isEqualTo(size);
    }
    assertThat(Await.result(flood.finished(), 5_000)).isEqualTo(size);
    assertThat(attempts(gateway, "200")).isEqualTo(1.0);
    assertThat(retries(gateway)).isZero();
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("closed");
  }

  // -------------------------------------------------------------------- (f) slowloris

  @Test
  void aRequestHeadTricklingInOneByteASecondIsClosedAtTheHeaderTimeoutAndNeverForwarded() throws IOException {
    FakeBackend backend = closeLater(FakeBackend.ok("should not be reached"));
    TestGateway gateway = gatewayWithHeaderTimeout(config(null, 30_000L, backend.port()), HEADER_TIMEOUT_MS);

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      long start = System.nanoTime();
      conn.send("GET / HTTP/1.1\r\nHost: x\r\n");
      CompletableFuture<Void> trickle = conn.trickle("X-Slow: " + "a".repeat(30) + "\r\n\r\n", 1_000);

      assertThat(conn.awaitClosed(HEADER_TIMEOUT_MS + 5_000)).as("closed by the header timeout").isTrue();
      long elapsedMs = (conn.closedAtNanos() - start) / 1_000_000L;
      assertThat(elapsedMs).as("closed at the %d ms header timeout, not earlier, not at the idle timeout",
          HEADER_TIMEOUT_MS).isBetween(HEADER_TIMEOUT_MS - 100L, HEADER_TIMEOUT_MS + 2_500L);
      assertThat(conn.text()).as("no response: the head never arrived").isEmpty();
      assertThat(trickle.isDone() && !trickle.isCompletedExceptionally()).as("the head was never finished")
          .isFalse();
    }
    assertThat(backend.requests()).as("the backend saw nothing").isZero();
    assertThat(backend.connections()).isZero();
  }

  @Test
  void aKeepAliveConnectionIdleBetweenRequestsIsNotClosedByTheHeaderTimeout() throws IOException {
    FakeBackend backend = closeLater(FakeBackend.ok("fine"));
    TestGateway gateway = gatewayWithHeaderTimeout(config(null, 5_000L, backend.port()), HEADER_TIMEOUT_MS);

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      conn.send("GET /first HTTP/1.1\r\nHost: gw\r\n\r\n");
      conn.awaitResponses(1, 5_000);
      // Idle for twice the header timeout: the connection must stay up (idleTimeoutMs governs it).
      assertThat(conn.awaitClosed(2 * HEADER_TIMEOUT_MS)).as("closed while idle between requests").isFalse();
      conn.send("GET /second HTTP/1.1\r\nHost: gw\r\n\r\n");
      List<String> responses = conn.awaitResponses(2, 5_000);
      assertThat(responses).allSatisfy(r -> {
        assertThat(r).startsWith("HTTP/1.1 200");
        assertThat(RawConnection.body(r)).isEqualTo("fine");
      });
    }
    assertThat(backend.requests()).isEqualTo(2);
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/first", "/second");
  }

  @Test
  void aSlowRequestBodyIsNotCutByTheHeaderTimeout() throws IOException {
    FakeBackend backend = closeLater(FakeBackend.start(req -> req.body().onSuccess(b -> req.response().end("got " + b))));
    TestGateway gateway = gatewayWithHeaderTimeout(config(null, 10_000L, backend.port()), HEADER_TIMEOUT_MS);
    String body = "0123456789abc"; // 13 bytes at 200 ms each: ~2.4 s, past the 1.5 s header timeout

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      long start = System.nanoTime();
      conn.send("POST /slow-body HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: "
          + body.length() + "\r\n\r\n");
      conn.trickle(body, 200);
      String response = conn.awaitResponses(1, 10_000).get(0);
      long elapsedMs = (System.nanoTime() - start) / 1_000_000L;

      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(RawConnection.body(response)).isEqualTo("got " + body);
      assertThat(elapsedMs).as("the body outlasted the header timeout").isGreaterThan(HEADER_TIMEOUT_MS);
    }
    assertThat(backend.requests()).isEqualTo(1);
  }

  // ------------------------------------------------------------------------------ helpers

  private <T extends AutoCloseable> T closeLater(T resource) {
    toClose.add(resource);
    return resource;
  }

  private TestGateway gateway(JsonObject config) {
    return closeLater(TestGateway.start(config));
  }

  /** A gateway whose connections get {@code timeoutMs} to send a request head. */
  private TestGateway gatewayWithHeaderTimeout(JsonObject config, long timeoutMs) {
    return closeLater(TestGateway.start(config, GatewayOptions.defaults().withRequestHeaderTimeoutMs(timeoutMs)));
  }

  private static JsonObject config(String upstreamExtra, long routeTimeoutMs, int... ports) {
    JsonObject config = TestGateway.proxyConfig(upstreamExtra, ports);
    config.getJsonArray("routes").getJsonObject(0).put("timeoutMs", routeTimeoutMs);
    return config;
  }

  private static Map<String, String> labels(String outcome) {
    return Map.of("upstream", UPSTREAM, "outcome", outcome);
  }

  private static double attempts(TestGateway gateway, String outcome) {
    return AdminProbe.counter(gateway.adminPort(), ATTEMPTS, labels(outcome));
  }

  private static double retries(TestGateway gateway) {
    return AdminProbe.counter(gateway.adminPort(), RETRIES, Map.of("upstream", UPSTREAM));
  }

  private static void assertGatewayError(Reply reply, int status, String code) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo(code);
    assertThat(reply.json().getString("upstream")).isEqualTo(UPSTREAM);
  }

  /** The raw reply ended before a complete response (see FaultMatrixTest). */
  private static void assertNeverComplete(RawHttp.Reply raw) {
    assertThat(RawConnection.responses(raw.text())).as("complete responses in %s", raw.text()).isEmpty();
  }
}
