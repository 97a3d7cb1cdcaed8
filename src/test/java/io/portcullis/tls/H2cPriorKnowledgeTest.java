package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closeables;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code server.h2c}: cleartext HTTP/2 with prior knowledge when on, while every HTTP/1.1
 * connection, its first request included, still goes through the strict decoder; never the
 * HTTP/1.1 {@code Upgrade: h2c} exchange; and no HTTP/2 at all when off.
 */
@Timeout(120)
class H2cPriorKnowledgeTest {

  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n";

  private static FakeBackend backend;
  private static TestGateway h2c;
  private static TestGateway plain;

  @BeforeAll
  static void start() {
    backend = FakeBackend.start(req -> req.body().onComplete(ar -> req.response()
        .putHeader("Content-Type", "text/plain").end("backend saw " + req.uri())));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    config.put("server", new JsonObject().put("h2c", true));
    h2c = TestGateway.start(config);
    plain = TestGateway.start(TestGateway.proxyConfig(null, backend.port()));
  }

  @AfterAll
  static void stop() {
    Closeables.closeAll(h2c, plain, backend);
  }

  @Test
  void priorKnowledgeClientIsServedOverHttp2WhenEnabled() {
    try (EdgeClient client = EdgeClient.h2c()) {
      backend.seen().clear();
      EdgeClient.Reply first = Await.result(client.send("127.0.0.1", h2c.port(), "/a"));
      EdgeClient.Reply second = Await.result(client.send("127.0.0.1", h2c.port(), "/b"));

      assertThat(first.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("backend saw /a");
      assertThat(second.body()).isEqualTo("backend saw /b");
      assertThat(backend.seen().get(0).header("X-Forwarded-Proto")).isEqualTo("http");
      assertThat(backend.seen().get(0).header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + h2c.port());
    }
  }

  @Test
  void headersOverMaxHeaderBytesGet431WithItsJsonBodyOverHttp2AsOverHttp11() {
    try (EdgeClient client = EdgeClient.h2c()) {
      EdgeClient.Reply big = Await.result(client.send("127.0.0.1", h2c.port(), "/big",
          "X-Big", "a".repeat(9_000), "X-Request-Id", "h2-big-1"));
      // Under the default 8,192 (and under the backend's own limit once the gateway's headers are added).
      EdgeClient.Reply fits = Await.result(client.send("127.0.0.1", h2c.port(), "/fits", "X-Big", "a".repeat(7_000)));

      assertThat(big.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(big.status()).isEqualTo(431);
      assertThat(big.header("Content-Type")).startsWith("application/json");
      JsonObject error = new JsonObject(big.body());
      assertThat(error.getString("error")).isEqualTo("headers_too_large");
      assertThat(error.getString("requestId")).isEqualTo("h2-big-1");
      assertThat(big.header("X-Request-Id")).isEqualTo("h2-big-1");
      assertThat(fits.status()).as("%s %s", fits.headers(), fits.body()).isEqualTo(200);
      assertThat(fits.body()).isEqualTo("backend saw /fits");
    }
  }

  @Test
  void rawPrefaceGetsServerSettingsWhenEnabled() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h2c.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(H2Frames.preface());
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      H2Frames.getHeaders(request, 1, "127.0.0.1:" + h2c.port(), "/raw");
      out.write(request.toByteArray());
      out.flush();
      InputStream in = socket.getInputStream();

      H2Frames.Frame settings = H2Frames.read(in);
      assertThat(settings.type()).isEqualTo(H2Frames.SETTINGS);
      boolean sawResponseHeaders = false;
      for (int i = 0; i < 20 && !sawResponseHeaders; i++) {
        H2Frames.Frame frame = H2Frames.read(in);
        sawResponseHeaders = frame.type() == H2Frames.HEADERS && frame.streamId() == 1;
      }
      assertThat(sawResponseHeaders).isTrue();
    }
  }

  @Test
  void aProxiedBodyOfDeclaredLengthComesInOneDataFrameThatEndsTheStream() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h2c.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(H2Frames.preface());
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      H2Frames.getHeaders(request, 1, "127.0.0.1:" + h2c.port(), "/whole");
      out.write(request.toByteArray());
      out.flush();
      InputStream in = socket.getInputStream();

      List<H2Frames.Frame> data = new ArrayList<>();
      boolean ended = false;
      for (int i = 0; i < 20 && !ended; i++) {
        H2Frames.Frame frame = H2Frames.read(in);
        if (frame.streamId() == 1 && frame.type() == H2Frames.DATA) {
          data.add(frame);
        }
        ended = frame.streamId() == 1 && (frame.flags() & H2Frames.END_STREAM) != 0;
      }

      assertThat(ended).isTrue();
      // The backend's Content-Length body: one DATA frame with END_STREAM, no empty frame after it.
      assertThat(data).singleElement().satisfies(frame -> {
        assertThat(new String(frame.payload(), StandardCharsets.US_ASCII)).isEqualTo("backend saw /whole");
        assertThat(frame.flags() & H2Frames.END_STREAM).isEqualTo(H2Frames.END_STREAM);
      });
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {12, 100_000})
  void aBodyWithoutContentLengthOverHttp2IsForwardedWhole(int size) {
    FakeBackend echo = FakeBackend.start(req -> req.body().onSuccess(body -> req.response()
        .end(req.getHeader("Content-Length") + " " + body.length() + " " + body.toString().hashCode())));
    JsonObject config = TestGateway.proxyConfig(null, echo.port());
    config.put("server", new JsonObject().put("h2c", true));
    TestGateway gateway = TestGateway.start(config);
    String body = "0123456789abcdef".repeat(size / 16 + 1).substring(0, size);
    try (EdgeClient client = EdgeClient.h2c()) {
      Promise<String> reply = Promise.promise();
      RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
          .setPort(gateway.port()).setURI("/upload");
      client.vertx().getOrCreateContext().runOnContext(v -> client.client().request(post)
          .compose(req -> {
            // Over HTTP/2 a chunked request carries no Content-Length: the length is the stream's.
            req.setChunked(true);
            req.write(body.substring(0, size / 2));
            return req.end(body.substring(size / 2)).compose(x -> req.response());
          })
          .compose(resp -> resp.body().map(Buffer::toString))
          .onComplete(reply));

      String seen = Await.result(reply.future());

      // Up to 64 KiB the gateway buffers the body (replayable) and sends its length; beyond, it streams it.
      String length = size <= 64 * 1024 ? Integer.toString(size) : "null";
      assertThat(seen).isEqualTo(length + " " + size + " " + body.hashCode());
    } finally {
      Closeables.closeAll(gateway, echo);
    }
  }

  @Test
  void firstHttp11RequestOnAnH2cListenerStillGoesThroughTheStrictDecoder() throws Exception {
    backend.seen().clear();
    RawHttp.Reply reply = RawHttp.exchange(h2c.port(), "POST /cl-te HTTP/1.1\r\nHost: gateway.test\r\n"
        + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 4000);

    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(reply.text()).contains("\"error\":\"bad_request\"");
    assertThat(reply.closed()).isTrue();
    assertThat(backend.seen()).isEmpty();
  }

  @Test
  void requestStartingLikeThePrefaceIsHttp11() throws Exception {
    backend.seen().clear();
    RawHttp.Reply reply = RawHttp.exchange(h2c.port(),
        "PUT /p HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 4000);

    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.text()).contains("backend saw /p");
  }

  @Test
  void upgradeToH2cIsNotOfferedTheRequestIsServedAsHttp11() throws Exception {
    backend.seen().clear();
    RawHttp.Reply reply = RawHttp.exchange(h2c.port(), "GET /up HTTP/1.1\r\nHost: gateway.test\r\n"
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
        + "\r\n", 2000);

    assertThat(reply.statusLine()).startsWith("HTTP/1.1 200");
    assertThat(reply.text()).contains("backend saw /up");
    assertThat(backend.seen().get(0).header("Upgrade")).isNull();
    assertThat(backend.seen().get(0).header("HTTP2-Settings")).isNull();
  }

  @Test
  void prefaceIsRefusedAsHttp11WhenH2cIsOff() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(plain.port(), H2Frames.preface(), 4000);

    assertThat(reply.statusLine()).startsWith("HTTP/1.1 400");
    assertThat(reply.closed()).isTrue();
    try (EdgeClient client = EdgeClient.h2c()) {
      assertThat(Await.failure(client.send("127.0.0.1", plain.port(), "/x"))).isNotNull();
    }
  }
}
