package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hop-by-hop headers end to end (RFC 9110 §7.6.1, README "How a request flows"): the standard
 * ones and every header a {@code Connection} header names are dropped in both directions, over
 * raw sockets so that nothing else touches the headers; end-to-end headers are kept.
 */
@Timeout(90)
class HopByHopHeadersTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void hopByHopRequestHeadersAndHeadersNamedInConnectionNeverReachTheBackend() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /hop HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Connection: close, X-Secret-Hop\r\n"
          + "Keep-Alive: timeout=5, max=100\r\n"
          + "Proxy-Connection: keep-alive\r\n"
          + "TE: trailers\r\n"
          + "Trailer: X-Checksum\r\n"
          + "Upgrade: example/1\r\n"
          + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
          + "X-Secret-Hop: do-not-forward\r\n"
          + "X-End-To-End: kept\r\n"
          + "\r\n");
      response = raw.read();
      // "close" among other options still asks to close (RFC 9112 §9.6).
      assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(raw.closedByPeer()).as("the gateway closed the connection after the answer").isTrue();
    }

    assertThat(response.status()).isEqualTo(200);
    assertThat(backend.requests()).isEqualTo(1);
    FakeBackend.Seen seen = backend.seen().get(0);
    for (String name : List.of("Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
        "Proxy-Authorization", "X-Secret-Hop")) {
      assertThat(seen.headers().contains(name)).as("backend received %s: %s", name, seen.header(name)).isFalse();
    }
    assertThat(seen.header("X-End-To-End")).isEqualTo("kept");
  }

  @Test
  void aHeaderNamedInASecondConnectionHeaderNeverReachesTheBackend() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /hop2 HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Connection: \r\n"
          + "Connection: X-Secret-Hop\r\n"
          + "X-Secret-Hop: do-not-forward\r\n"
          + "X-End-To-End: kept\r\n"
          + "\r\n");
      response = raw.read();
    }

    assertThat(response.status()).isEqualTo(200);
    FakeBackend.Seen seen = backend.seen().get(0);
    assertThat(seen.header("X-Secret-Hop")).as("header named in Connection").isNull();
    assertThat(seen.header("X-End-To-End")).isEqualTo("kept");
  }

  @Test
  void hopByHopResponseHeadersAndHeadersTheBackendNamesInConnectionNeverReachTheClient() throws Exception {
    RawBackend backend = harness.add(RawBackend.start("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/plain\r\n"
        + "Content-Length: 2\r\n"
        + "Connection: X-Backend-Hop\r\n"
        + "Keep-Alive: timeout=5, max=100\r\n"
        + "X-Backend-Hop: secret\r\n"
        + "Proxy-Authenticate: Basic realm=\"x\"\r\n"
        + "Proxy-Connection: keep-alive\r\n"
        + "Trailer: X-Checksum\r\n"
        + "Upgrade: example/1\r\n"
        + "X-End-To-End: kept\r\n"
        + "\r\n"
        + "ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /from-backend HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
    }

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).isEqualTo("ok");
    assertThat(response.header("X-End-To-End")).isEqualTo("kept");
    for (String name : List.of("Keep-Alive", "X-Backend-Hop", "Proxy-Authenticate", "Proxy-Connection", "Trailer",
        "Upgrade")) {
      assertThat(response.headers(name)).as("client received %s", name).isEmpty();
    }
    assertThat(response.headers("Connection")).as("the backend's Connection header is not forwarded")
        .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("x-backend-hop"));
  }
}
