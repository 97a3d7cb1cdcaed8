package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.ProxyHeaders;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real gateway behind a load balancer (README "Running behind a load balancer"): the PROXY
 * protocol on the main port (v1, v2, v2 {@code LOCAL}, and headers that are missing or malformed),
 * and {@code server.trustedProxies} walking {@code X-Forwarded-For} to the client that rate limits
 * key on. The backend echoes the {@code X-Forwarded-For} it received.
 */
@Timeout(60)
class LoadBalancerIntegrationTest {

  private static final String REQUEST = "GET /echo HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";

  @RegisterExtension
  final Closer toClose = new Closer();

  /** Echoes X-Forwarded-For; takes headers of any size (some tests send huge ones). */
  private final FakeBackend backend = toClose.add(FakeBackend.start(
      new io.vertx.core.http.HttpServerOptions().setMaxHeaderSize(1 << 20),
      req -> req.response().end(String.valueOf(req.getHeader("X-Forwarded-For")))));
  private final GatewayClient client = toClose.add(GatewayClient.create(false));

  @Test
  void theProxyHeadersSourceIsTheClientUpstreamAndLocalKeepsTheSocketsPeer() throws IOException {
    TestGateway gateway = toClose.add(TestGateway.start(config("'proxyProtocol': true", "")));

    assertThat(echo(gateway, ProxyHeaders.v1("198.51.100.7", 4711, "192.0.2.1", 443))).isEqualTo("198.51.100.7");
    assertThat(echo(gateway, ProxyHeaders.v1("2001:db8::7", 4711, "2001:db8::1", 443))).isEqualTo("2001:db8::7");
    assertThat(echo(gateway, ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80))).isEqualTo("198.51.100.8");
    // Netty gives v2 IPv6 sources as eight uncompressed groups; the gateway writes RFC 5952 text.
    assertThat(echo(gateway, ProxyHeaders.v2("2001:db8::9", 6000, "2001:db8::1", 443))).isEqualTo("2001:db8::9");
    // A balancer's own health check: the socket's peer.
    assertThat(echo(gateway, ProxyHeaders.v2Local())).isEqualTo("127.0.0.1");
    assertThat(echo(gateway, ProxyHeaders.v1Unknown())).isEqualTo("127.0.0.1");
    // A client on the balancer's Unix socket has no IP address to pass on: the socket's peer too.
    assertThat(echo(gateway, ProxyHeaders.v2Unix("/run/lb/client.sock", "/run/lb/front.sock"))).isEqualTo("127.0.0.1");
    // The admin port never expects the header.
    assertThat(AdminProbe.get(gateway.adminPort(), "/healthz/live")).contains("UP");
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_proxy_protocol_rejected_total", Map.of())).isZero();
  }

  @Test
  void aMissingOrMalformedHeaderClosesTheConnectionUnansweredCountedAndUnlogged() throws IOException {
    TestGateway gateway = toClose.add(TestGateway.start(config("'proxyProtocol': true", "")));
    byte[] badFamily = ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80);
    badFamily[13] = (byte) 0x71;
    List<String> bad = List.of(REQUEST, "PROXY TCP4 198.51.100.7\r\n" + REQUEST, "PROXY TCP4 " + "1".repeat(300),
        "PROXY TCP4 999.1.1.1 192.0.2.1 1 2\r\n" + REQUEST, ProxyHeaders.text(badFamily) + REQUEST,
        "\u0000".repeat(5_000));

    try (LogCapture portcullis = LogCapture.of("io.portcullis"); LogCapture netty = LogCapture.of("io.netty");
         LogCapture vertx = LogCapture.of("io.vertx")) {
      for (String bytes : bad) {
        try (RawConnection c = RawConnection.open(gateway.port())) {
          c.send(bytes);
          assertThat(c.awaitClosed(10_000)).isTrue();
          assertThat(c.text()).isEmpty();
        }
      }
      AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_proxy_protocol_rejected_total", Map.of(), bad.size(),
          10_000);
      // A balancer's TCP check (connect, close) is neither an error nor counted.
      try (Socket probe = new Socket("127.0.0.1", gateway.port())) {
        probe.shutdownOutput();
        assertThat(probe.getInputStream().read()).isEqualTo(-1);
      }
      // Sentinel: a good connection afterwards is served, and was the backend's first request.
      assertThat(echo(gateway, ProxyHeaders.v1("198.51.100.7", 4711, "192.0.2.1", 443))).isEqualTo("198.51.100.7");
      assertThat(backend.requests()).isEqualTo(1);
      assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_proxy_protocol_rejected_total", Map.of()))
          .isEqualTo(bad.size());
      for (LogCapture log : List.of(portcullis, netty, vertx)) {
        assertThat(log.events()).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.INFO)
            && !e.getLoggerName().equals("portcullis.access"));
      }
    }
  }

  @Test
  void aProxyHeaderOnAListenerThatExpectsNoneIsABadRequestAndNothingGoesUpstream() throws IOException {
    TestGateway gateway = toClose.add(TestGateway.start(config("", "")));

    for (byte[] header : List.of(ProxyHeaders.v1("198.51.100.7", 4711, "192.0.2.1", 443),
        ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80))) {
      try (RawConnection c = RawConnection.open(gateway.port())) {
        c.send(ProxyHeaders.text(header) + REQUEST);
        assertThat(c.awaitClosed(10_000)).isTrue();
        List<String> responses = RawConnection.responses(c.text());
        assertThat(responses).hasSize(1);
        // The PROXY line is read as a request line that is not HTTP: 400 (HTTP/1.0, the version unknown).
        assertThat(responses.get(0)).matches("(?s)HTTP/1\\.[01] 400 .*").contains("\"error\":\"bad_request\"");
      }
    }
    assertThat(backend.requests()).isZero();
  }

  @Test
  void theRateLimitKeyFollowsTheClientTheTrustedProxiesVouchFor() {
    TestGateway gateway = toClose.add(TestGateway.start(config("'trustedProxies': ['127.0.0.0/8']",
        ", 'rateLimit': {'requestsPerSecond': 0.001, 'burst': 1}")));

    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "198.51.100.1").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "198.51.100.1").status()).isEqualTo(429);
    // Another client behind the same (trusted) balancer has a bucket of its own.
    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "203.0.113.1, 198.51.100.2").status())
        .isEqualTo(200);
    // An entry further left is what the client wrote: not believed past the first untrusted address.
    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "203.0.113.2, 198.51.100.2").status())
        .isEqualTo(429);
    // The peer itself, when the header has nothing to walk to.
    assertThat(client.get(gateway.port(), "/echo").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "127.0.0.5, unknown").status()).isEqualTo(429);
  }

  @Test
  void withoutTrustedProxiesTheHeaderNeverPicksTheBucket() {
    TestGateway gateway = toClose.add(TestGateway.start(config("", ", 'rateLimit': {'requestsPerSecond': 0.001, 'burst': 1}")));

    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "198.51.100.1").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/echo", "X-Forwarded-For", "198.51.100.2").status()).isEqualTo(429);
  }

  @Test
  void behindAProxyProtocolBalancerTheWalkStartsFromTheHeadersSource() throws IOException {
    TestGateway gateway = toClose.add(TestGateway.start(config("'proxyProtocol': true, 'trustedProxies': ['10.0.0.0/8']",
        ", 'rateLimit': {'requestsPerSecond': 0.001, 'burst': 1}")));
    String lb = ProxyHeaders.text(ProxyHeaders.v1("10.1.2.3", 5000, "10.9.9.9", 80));

    assertThat(status(gateway, lb + request("X-Forwarded-For: 198.51.100.1\r\n"))).isEqualTo(200);
    assertThat(status(gateway, lb + request("X-Forwarded-For: 198.51.100.1\r\n"))).isEqualTo(429);
    assertThat(status(gateway, lb + request("X-Forwarded-For: 198.51.100.3\r\n"))).isEqualTo(200);
    // A source outside the trusted blocks is the client, whatever it says.
    String untrusted = ProxyHeaders.text(ProxyHeaders.v1("192.0.2.50", 5000, "10.9.9.9", 80));
    assertThat(status(gateway, untrusted + request("X-Forwarded-For: 198.51.100.4\r\n"))).isEqualTo(200);
    assertThat(status(gateway, untrusted + request("X-Forwarded-For: 198.51.100.5\r\n"))).isEqualTo(429);
    // Upstream, X-Forwarded-For gains the header's source.
    assertThat(backend.seen().get(0).header("X-Forwarded-For")).isEqualTo("198.51.100.1, 10.1.2.3");
  }

  @Test
  void garbageAndOverlongForwardedForStopTheWalkAndNeverFail() {
    TestGateway gateway = toClose.add(TestGateway.start(config("'trustedProxies': ['127.0.0.0/8', '::1'], "
        + "'maxHeaderBytes': 131072", ", 'rateLimit': {'requestsPerSecond': 1000, 'burst': 1000}")));
    List<String> values = List.of("garbage", ",,,", " , ", "1.2.3.4.5", "[::1", "[::1]:99999", "::::::", "%00",
        "\"198.51.100.1\"", "198.51.100.1, " + "9".repeat(100_000), "1".repeat(100_000),
        String.join(", ", java.util.Collections.nCopies(10_000, "127.0.0.1")), "ffff:".repeat(20_000),
        "198.51.100.1;for=x", "\t198.51.100.1\t");
    for (String value : values) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/echo", "X-Forwarded-For", value);
      assertThat(reply.status()).as("X-Forwarded-For %.40s", value).isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The X-Forwarded-For the backend saw for a request sent after {@code header} on a new connection. */
  private static String echo(TestGateway gateway, byte[] header) throws IOException {
    try (RawConnection c = RawConnection.open(gateway.port())) {
      c.send(ProxyHeaders.text(header) + REQUEST);
      String response = c.awaitResponses(1, 10_000).get(0);
      assertThat(response).startsWith("HTTP/1.1 200 ");
      return RawConnection.body(response);
    }
  }

  private static int status(TestGateway gateway, String bytes) throws IOException {
    try (RawConnection c = RawConnection.open(gateway.port())) {
      c.send(bytes);
      String response = c.awaitResponses(1, 10_000).get(0);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  private static String request(String headers) {
    return "GET /echo HTTP/1.1\r\nHost: gw\r\n" + headers + "Connection: close\r\n\r\n";
  }

  /** One route to the echoing backend; {@code server} and {@code route} JSON merged in. */
  private JsonObject config(String server, String route) {
    return new JsonObject("{" + ("'server': {" + server + "}, 'upstreams': {'b': {'endpoints': ['http://127.0.0.1:"
        + backend.port() + "']}}, 'routes': [{'name': 'echo', 'match': {'pathPrefix': '/echo'}, 'upstream': 'b'"
        + route + "}]").replace('\'', '"') + "}");
  }

}
