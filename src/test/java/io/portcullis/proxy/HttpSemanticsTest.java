package io.portcullis.proxy;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Request semantics a proxy owes its peers: Via, TRACE, Expect: 100-continue, Upgrade. */
class HttpSemanticsTest {

  private FakeBackend backend;
  private TestGateway gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(FakeBackend b) {
    backend = b;
    gateway = TestGateway.start(TestGateway.proxyConfig(null, b.port()));
  }

  @Test
  void viaIsAppendedInBothDirections() throws Exception {
    start(FakeBackend.start(req -> req.response().putHeader("Via", "1.1 origin").end("ok")));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET /v HTTP/1.1\r\nHost: gw\r\nVia: 1.0 edge\r\nConnection: close\r\n\r\n", 5_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(backend.seen().get(0).header("Via")).isEqualTo("1.0 edge, 1.1 portcullis");
    assertThat(reply.text().toLowerCase()).contains("via: 1.1 origin, 1.1 portcullis");
  }

  @Test
  void anHttp10ClientGetsTheGatewaysOneOneEntryBothWays() throws Exception {
    start(FakeBackend.start(req -> req.response().end("ok")));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), "GET /v HTTP/1.0\r\nHost: gw\r\n\r\n", 5_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(backend.seen().get(0).header("Via")).isEqualTo("1.1 portcullis");
    assertThat(reply.text().toLowerCase()).contains("via: 1.1 portcullis\r\n");
  }

  @Test
  void anHttp10UpstreamAnswerStillGetsTheOneOneEntry() throws Exception {
    try (RawBackend old = RawBackend.start(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nVia: 1.0 origin\r\nContent-Length: 2\r\n\r\nok")) {
      gateway = TestGateway.start(TestGateway.proxyConfig(null, old.port()));

      RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
          "GET /v HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 5_000);

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.text().toLowerCase()).contains("via: 1.0 origin, 1.1 portcullis\r\n");
    }
  }

  @Test
  void theUpstreamsOwnReasonPhraseReachesTheClientAndAStandardOneStays() throws Exception {
    start(FakeBackend.start(req -> req.response()
        .setStatusCode(req.path().equals("/custom") ? 299 : 404)
        .setStatusMessage(req.path().equals("/custom") ? "Mostly Fine" : "Not Found")
        .end("x")));

    RawHttp.Reply custom = RawHttp.exchange(gateway.port(), "GET /custom HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 5_000);
    RawHttp.Reply standard = RawHttp.exchange(gateway.port(), "GET /std HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 5_000);

    assertThat(custom.statusLine()).isEqualTo("HTTP/1.1 299 Mostly Fine");
    assertThat(standard.statusLine()).isEqualTo("HTTP/1.1 404 Not Found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "CONNECT"})
  void traceAndConnectAreRefusedWithoutReachingTheUpstream(String method) throws Exception {
    start(FakeBackend.ok("never"));
    String target = method.equals("CONNECT") ? "example.com:443" : "/t";

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        method + " " + target + " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer s3cr3t\r\nConnection: close\r\n\r\n", 5_000);

    assertThat(reply.status()).isIn(400, 405);
    assertThat(reply.text()).doesNotContain("s3cr3t");
    assertThat(backend.requests()).isZero();
  }

  @Test
  void expectContinueIsAnsweredByTheGatewayAndTheBodyForwarded() throws Exception {
    start(FakeBackend.start(req -> req.body().onSuccess(body -> req.response()
        .end("got " + body.length() + " expect=" + req.getHeader("Expect")))));

    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST /e HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String interim = readUntilBlankLine(in);
      assertThat(interim).startsWith("HTTP/1.1 100");
      out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(rest).startsWith("HTTP/1.1 200").endsWith("got 5 expect=null");
    }
  }

  @Test
  void upgradeIsNotHonouredWithoutSupportAndNeverReachesTheUpstream() throws Exception {
    start(FakeBackend.ok("plain"));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET /ws HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 2_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).endsWith("plain");
    assertThat(backend.seen().get(0).header("Upgrade")).isNull();
    assertThat(backend.seen().get(0).header("Connection")).isNull();
  }

  private static String readUntilBlankLine(InputStream in) throws java.io.IOException {
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      text.append((char) b);
    }
    return text.toString();
  }
}
