package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests the gateway refuses itself, over raw sockets (README "Errors", RFC 9112 §6.3): a head
 * over {@code maxHeaderBytes} (431), a body over {@code maxBodyBytes} whether declared or chunked
 * (413), and ambiguous framing (400, connection closed). Each gets the JSON error body, and the
 * upstream never receives the request, nor a complete body, nor anything pipelined behind it.
 */
@Timeout(90)
class RefusedRequestsTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void headersOverMaxHeaderBytesGet431HeadersTooLargeAndNeverReachTheBackend() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxHeaderBytes", 2048));
    TestGateway gateway = harness.start(config);

    RawResponse small;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /small HTTP/1.1\r\nHost: gateway.test\r\nX-Fill: " + "s".repeat(1000) + "\r\n\r\n");
      small = raw.read();
    }
    RawResponse big;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /big HTTP/1.1\r\nHost: gateway.test\r\nX-Fill: " + "b".repeat(4000) + "\r\n\r\n");
      big = raw.read();
      closed = raw.closedByServer();
    }

    assertThat(small.status()).as("a head under the limit is served").isEqualTo(200);
    assertJsonError(431, "headers_too_large", big);
    assertThat(closed).as("connection closed after 431").isTrue();
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/small");
  }

  @Test
  void aContentLengthOverMaxBodyBytesGets413PayloadTooLargeAndTheBackendReceivesNothing() throws Exception {
    FakeBackend backend = harness.backend(req -> req.body().onSuccess(b -> req.response().end("got " + b.length())));
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxBodyBytes", 1000));
    TestGateway gateway = harness.start(config);

    RawResponse atLimit;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(1000));
      atLimit = raw.read();
    }
    RawResponse over;
    try (RawClient raw = new RawClient(gateway.port())) {
      // Only the head: the gateway must refuse on the declared length without reading the body.
      raw.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5000\r\n\r\n");
      over = raw.read();
    }

    assertThat(atLimit.status()).as("a body of exactly maxBodyBytes is accepted").isEqualTo(200);
    assertThat(atLimit.text()).isEqualTo("got 1000");
    assertJsonError(413, "payload_too_large", over);
    assertThat(backend.requests()).as("only the accepted request reached the backend").isEqualTo(1);
  }

  @Test
  void aChunkedUploadOverMaxBodyBytesGets413AndTheBackendNeverGetsACompleteBody() throws Exception {
    int maxBody = 16 * 1024;
    RawBackend backend = harness.add(RawBackend.start(null)); // records bytes, never answers
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxBodyBytes", maxBody));
    TestGateway gateway = harness.start(config);

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      StringBuilder request = new StringBuilder("POST /chunked-upload HTTP/1.1\r\nHost: gateway.test\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 5; i++) { // 5 x 4 KiB = 20 KiB > 16 KiB, and no last chunk yet
        request.append("1000\r\n").append("c".repeat(4096)).append("\r\n");
      }
      raw.send(request.toString());
      response = raw.read();
    }
    harness.closeNow(gateway); // every gateway connection to the backend is closed once this returns

    assertJsonError(413, "payload_too_large", response);
    backend.awaitAllClosed();
    String received = backend.received();
    assertThat(received).as("the backend never receives the last chunk").doesNotContain("\r\n0\r\n\r\n");
  }

  @Test
  void contentLengthWithTransferEncodingGets400AndTheConnectionClosedAndNothingReachesTheBackend() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = oneLoopGatewayTo(backend.port());

    RawResponse response;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /smuggle HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Content-Length: 6\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "\r\n"
          + "0\r\n\r\n"
          + "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
      closed = raw.closedByServer();
    }

    assertJsonError(400, "bad_request", response);
    assertThat(closed).as("connection closed after the refusal").isTrue();
    assertThat(receivedBeforeSentinel(gateway, backend)).as("requests the backend received").isEmpty();
  }

  @Test
  void aRefusedFramingKeepsTheClientsRequestId() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = oneLoopGatewayTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /smuggle HTTP/1.1\r\nHost: gateway.test\r\nX-Request-Id: client-id-7\r\n"
          + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      response = raw.read();
    }

    assertJsonError(400, "bad_request", response);
    // CONTRACT §4: the incoming X-Request-Id is returned on every response.
    assertThat(response.header("X-Request-Id")).isEqualTo("client-id-7");
    assertThat(response.json().getString("requestId")).isEqualTo("client-id-7");
  }

  @Test
  void twoDifferingContentLengthsGet400AndTheConnectionClosedAndNothingReachesTheBackend() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = oneLoopGatewayTo(backend.port());

    RawResponse response;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /smuggle HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Content-Length: 5\r\n"
          + "Content-Length: 48\r\n"
          + "\r\n"
          + "hello"
          + "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
      closed = raw.closedByServer();
    }

    assertJsonError(400, "bad_request", response);
    assertThat(closed).as("connection closed after the refusal").isTrue();
    assertThat(receivedBeforeSentinel(gateway, backend)).as("requests the backend received").isEmpty();
  }

  /**
   * A gateway in front of {@code port} with one event loop, so that a sentinel request sent after
   * an exchange is handled after anything the gateway forwarded for that exchange.
   */
  private static TestGateway oneLoopGatewayTo(int port) {
    return harness.start(withServer(TestGateway.proxyConfig(null, port), new JsonObject().put("instances", 1)));
  }

  /**
   * What {@code backend} received ahead of a sentinel: a well-formed request sent on a new
   * connection once the exchange under test is over, answered only after the backend had it.
   */
  private static List<String> receivedBeforeSentinel(TestGateway gateway, FakeBackend backend) throws IOException {
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /sentinel HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      assertThat(raw.read().status()).as("status of the sentinel").isEqualTo(200);
    }
    List<String> received = new ArrayList<>(backend.seen().stream().map(FakeBackend.Seen::uri).toList());
    assertThat(received).as("the sentinel reached the backend").endsWith("/sentinel");
    return received.subList(0, received.size() - 1);
  }

  private static JsonObject withServer(JsonObject config, JsonObject server) {
    return config.put("server", server);
  }

  /** The gateway's JSON error body (README "Errors"), its request id the same as the header's. */
  private static void assertJsonError(int status, String code, RawResponse response) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/json");
    JsonObject body = response.json();
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("requestId")).isNotBlank().isEqualTo(response.header("X-Request-Id"));
  }
}
