package io.portcullis.proxy;

import static io.portcullis.proxy.FaultMatrix.ATTEMPTS;
import static io.portcullis.proxy.FaultMatrix.UPSTREAM;
import static io.portcullis.proxy.FaultMatrix.attempts;
import static io.portcullis.proxy.FaultMatrix.config;
import static io.portcullis.proxy.FaultMatrix.labels;
import static io.portcullis.proxy.FaultMatrix.retries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.lifecycle.GatewayOptions;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault matrix, the slow client (README "Errors", "How a request flows" and {@code server}): an
 * upload slower than the deadline, a client that does not read its response, and slowloris —
 * a request head trickling in past the header timeout — next to what the header timeout must
 * leave alone (an idle keep-alive connection, a slow body). Each row checks what the client sees,
 * what reached the upstream, the counters and the breaker.
 */
class SlowClientFaultsTest {

  private static final Logger LOG = LoggerFactory.getLogger(SlowClientFaultsTest.class);
  private static final long HEADER_TIMEOUT_MS = 1_500L;

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  /**
   * A client that sends its head and then the body one byte per 200 ms, past the 1 s route
   * deadline. A body of at most 64 KiB is buffered for replay first, chunked or not, so the
   * upstream never sees anything. A chunked body whose first chunk is already longer is streamed,
   * so the upstream has the request: it is reset. Either way the client gets 504 at the deadline
   * and the connection is closed.
   */
  static Stream<Arguments> slowUploads() {
    String big = Integer.toHexString(64 * 1024 + 1) + "\r\n" + "y".repeat(64 * 1024 + 1) + "\r\n";
    return Stream.of(
        arguments("chunked, past 64 KiB at once (streamed)", "Transfer-Encoding: chunked\r\n", big,
            "1\r\nx\r\n".repeat(40), true),
        arguments("chunked, small (buffered for replay)", "Transfer-Encoding: chunked\r\n", "",
            "1\r\nx\r\n".repeat(40), false),
        arguments("Content-Length 40 (buffered for replay)", "Content-Length: 40\r\n", "", "x".repeat(40), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slowUploads")
  void aSlowUploadPastTheDeadlineIs504AndTheUpstreamRequestIsReset(String story, String framing, String atOnce,
      String body, boolean streamed) throws IOException {
    FaultBackend backend = harness.faultBackend((b, socket, request) -> { }); // never answers
    TestGateway gateway = harness.start(config(null, 1_000L, backend.port()));

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      long start = System.nanoTime();
      conn.send("POST /upload HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\n" + framing + "\r\n" + atOnce);
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
    FaultBackend backend = harness.faultBackend(flood);
    TestGateway gateway = harness.start(config(null, 40_000L, backend.port()));

    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /big HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      long writtenAtStall = Await.result(flood.stalled(), 20_000);
      LOG.info(String.format("slow reader: upstream stalled after %d of %d bytes (%.1f MiB)", writtenAtStall, size,
          writtenAtStall / 1048576.0));
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

  @Test
  void aRequestHeadTricklingInOneByteASecondIsClosedAtTheHeaderTimeoutAndNeverForwarded() throws IOException {
    FakeBackend backend = harness.okBackend("should not be reached");
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
    FakeBackend backend = harness.okBackend("fine");
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
    FakeBackend backend = harness.backend(req -> req.body().onSuccess(b -> req.response().end("got " + b)));
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

  /** A gateway whose connections get {@code timeoutMs} to send a request head. */
  private static TestGateway gatewayWithHeaderTimeout(JsonObject config, long timeoutMs) {
    return harness.start(config, GatewayOptions.defaults().withRequestHeaderTimeoutMs(timeoutMs));
  }
}
