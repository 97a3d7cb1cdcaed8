package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Closeables;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The main listener over TLS ({@code server.tls}): ALPN offers h2 and http/1.1, both proxy and
 * aggregate, the HTTP/2 request path (authority instead of Host, no hop-by-hop headers,
 * {@code X-Forwarded-Proto: https}), and the strict HTTP/1.1 decoder still guards TLS connections.
 */
@Timeout(120)
class TlsListenerTest {

  /** Pipelined after each hostile head, as in the cleartext smuggling corpus: must never reach the backend. */
  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n";

  @TempDir
  static Path dir;
  private static TestCertificates ca;
  private static Path caFile;
  private static FakeBackend backend;
  private static TestGateway gateway;
  private static TestGateway http1Only;
  /** The same as {@link #gateway} on the JDK's TLS engine ({@code server.tls.engine: "jdk"}); the others run the default, OpenSSL. */
  private static TestGateway jdkEngine;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.authority("Portcullis Test CA");
    caFile = dir.resolve("ca.crt");
    TestCertificates.write(caFile, ca.authorityCertificate().certificate());
    TestCertificates.PemPair server = ca.server("gateway").writeTo(dir, "gateway");
    backend = FakeBackend.start(req -> req.body().onComplete(ar -> req.response()
        .putHeader("Content-Type", req.uri().startsWith("/users/") ? "application/json" : "text/plain")
        .putHeader("Connection", "keep-alive")
        .putHeader("Keep-Alive", "timeout=5")
        .end(req.uri().startsWith("/users/") ? new JsonObject().put("id", req.uri().substring(7)).encode()
            : "backend saw " + req.uri())));
    gateway = TestGateway.start(config(server, true));
    http1Only = TestGateway.start(config(server, false));
    JsonObject jdk = config(server, true);
    jdk.getJsonObject("server").getJsonObject("tls").put("engine", "jdk");
    jdkEngine = TestGateway.start(jdk);
  }

  private static JsonObject config(TestCertificates.PemPair server, boolean http2) {
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    config.getJsonArray("routes").add(0, new JsonObject().put("name", "profile")
        .put("match", new JsonObject().put("path", "/profile/:id"))
        .put("aggregate", new JsonArray()
            .add(new JsonObject().put("upstream", "backend").put("path", "/users/:id").put("as", "user"))));
    config.put("server", new JsonObject().put("http2", http2)
        .put("tls", new JsonObject().put("certFile", server.certFile().toString())
            .put("keyFile", server.keyFile().toString())));
    return config;
  }

  @AfterAll
  static void stop() {
    Closeables.closeAll(gateway, http1Only, jdkEngine, backend);
  }

  static Stream<Arguments> engines() {
    return Stream.of(Arguments.of("openssl (default)", (Supplier<TestGateway>) () -> gateway),
        Arguments.of("jdk", (Supplier<TestGateway>) () -> jdkEngine));
  }

  @ParameterizedTest(name = "{0} engine")
  @MethodSource("engines")
  void h2ClientNegotiatesHttp2AndIsProxiedWithAuthorityAsForwardedHost(String engine,
      Supplier<TestGateway> listener) {
    TestGateway gateway = listener.get();
    try (EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_2)) {
      backend.seen().clear();
      EdgeClient.Reply reply = client.get(gateway.port(), "/items/7");

      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("backend saw /items/7");
      // Hop-by-hop headers of the upstream response never reach an HTTP/2 client (RFC 9113 §8.2.2).
      assertThat(reply.headers().names()).doesNotContain("connection", "keep-alive", "transfer-encoding");
      // The gateway's entry names the client's protocol in both directions (CONTRACT §8.6).
      assertThat(reply.header("Via")).isEqualTo("2 portcullis");
      FakeBackend.Seen seen = backend.seen().get(0);
      assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(seen.header("X-Forwarded-Host")).isEqualTo("localhost:" + gateway.port());
      assertThat(seen.header("Host")).isEqualTo("127.0.0.1:" + backend.port());
      assertThat(seen.header("Via")).isEqualTo("2 portcullis");
    }
  }

  @Test
  void http11ClientNegotiatesHttp11OverTls() {
    try (EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_1_1)) {
      backend.seen().clear();
      EdgeClient.Reply reply = client.get(gateway.port(), "/items/8");

      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_1_1);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("backend saw /items/8");
      assertThat(backend.seen().get(0).header("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(backend.seen().get(0).header("X-Forwarded-Host")).isEqualTo("localhost:" + gateway.port());
    }
  }

  @Test
  void alpnOffersOnlyHttp11WhenHttp2IsOff() throws Exception {
    try (EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_2)) {
      EdgeClient.Reply reply = client.get(http1Only.port(), "/items/9");
      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_1_1);
      assertThat(reply.status()).isEqualTo(200);
    }
    SSLContext tls = TlsRaw.trusting(ca.authorityCertificate().certificate());
    try (SSLSocket socket = TlsRaw.connect(tls, http1Only.port(), "h2", "http/1.1")) {
      assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
    }
    try (SSLSocket socket = TlsRaw.connect(tls, gateway.port(), "h2", "http/1.1")) {
      assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    }
  }

  @Test
  void aggregateRouteAnswersAnHttp2Client() {
    try (EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_2)) {
      EdgeClient.Reply reply = client.get(gateway.port(), "/profile/u-1");

      assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("X-Gateway-Completed")).isEqualTo("true");
      assertThat(new JsonObject(reply.body()).getJsonObject("user").getString("id")).isEqualTo("u-1");
    }
  }

  @Test
  void gatewayErrorsReachAnHttp2ClientWithoutClosingTheConnection() {
    try (EdgeClient client = EdgeClient.tls(caFile, HttpVersion.HTTP_2)) {
      EdgeClient.Reply bad = client.get(gateway.port(), "/items/1", "X-Request-Timeout-Ms", "soon");
      EdgeClient.Reply next = client.get(gateway.port(), "/items/2");

      assertThat(bad.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(new JsonObject(bad.body()).getString("error")).isEqualTo("bad_request");
      assertThat(bad.headers().names()).doesNotContain("connection");
      assertThat(next.status()).isEqualTo(200);
    }
  }

  // ------------------------------------------------------------- smuggling rows over TLS/HTTP/1.1

  static Stream<Arguments> smugglingRows() {
    String smuggled = SMUGGLED;
    return Stream.of(
        Arguments.of("CL + TE", "POST /cl-te HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
        Arguments.of("TE + CL", "POST /te-cl HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Length: 5\r\n\r\n0\r\n\r\n" + smuggled),
        Arguments.of("two differing Content-Length", "POST /cl-cl HTTP/1.1\r\nHost: gateway.test\r\n"
            + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" + smuggled),
        Arguments.of("obs-fold", "GET /fold HTTP/1.1\r\nHost: gateway.test\r\nX-Folded: a\r\n b\r\n\r\n" + smuggled),
        Arguments.of("HTTP/2 preface on an http/1.1 TLS connection",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + smuggled));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smugglingRows")
  void hostileHttp11HeadOverTlsIsRefusedAndThePipelinedRequestNeverReachesTheUpstream(String name, String bytes)
      throws Exception {
    backend.seen().clear();
    SSLContext tls = TlsRaw.trusting(ca.authorityCertificate().certificate());

    RawHttp.Reply reply = TlsRaw.exchange(tls, gateway.port(), bytes, 4000);

    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(reply.text()).contains("\"error\":\"bad_request\"");
    assertThat(reply.closed()).as("connection closed").isTrue();
    assertThat(reply.text()).doesNotContain("backend saw");
    assertThat(backend.seen()).isEmpty();
  }

  @Test
  void wellFramedPipelinedRequestsOverTlsAreServed() throws Exception {
    backend.seen().clear();
    SSLContext tls = TlsRaw.trusting(ca.authorityCertificate().certificate());
    RawHttp.Reply reply = TlsRaw.exchange(tls, gateway.port(),
        "GET /one HTTP/1.1\r\nHost: gateway.test\r\n\r\nGET /two HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n",
        4000);
    assertThat(reply.text()).contains("backend saw /one").contains("backend saw /two");
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).isEqualTo(List.of("/one", "/two"));
  }
}
