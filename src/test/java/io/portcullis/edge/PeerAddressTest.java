package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeHttpRequest;
import io.portcullis.testkit.ProxyHeaders;
import io.portcullis.testkit.RawConnection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The peer address of a request, on real connections behind a PROXY header (and without one),
 * through the gateway's own connection set-up ({@link EdgeConnections}).
 */
@Timeout(60)
class PeerAddressTest {

  private static final String REQUEST = "GET /who HTTP/1.1\r\nHost: test\r\n\r\n";

  @RegisterExtension
  final Closer toClose = new Closer();

  private Vertx vertx;
  /** Per request: the peer address the gateway works out, and the connection's pipeline then. */
  private final Queue<String> peers = new ConcurrentLinkedQueue<>();
  private final Queue<List<String>> pipelines = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    toClose.add(() -> Await.result(vertx.close()));
  }

  @Test
  void anIpv4PeerIsTakenAsItIsAndAnIpv6OneInCanonicalForm() {
    assertThat(PeerAddress.of(FakeHttpRequest.of("GET", "/").peer("192.0.2.44").request())).isEqualTo("192.0.2.44");
    assertThat(PeerAddress.of(FakeHttpRequest.of("GET", "/").peer("2001:db8:0:0:0:0:0:9").request()))
        .isEqualTo("2001:db8::9");
  }

  @Test
  void anIpv6SourceIsMadeCanonicalOnceForEveryRequestOfItsConnectionAndAgainForTheNextConnection()
      throws IOException {
    int port = start(true);
    try (RawConnection c = RawConnection.open(port)) {
      // Netty gives a v2 IPv6 source as uncompressed groups: 2001:db8:0:0:0:0:0:9.
      c.send(ProxyHeaders.text(ProxyHeaders.v2("2001:db8::9", 6000, "2001:db8::1", 443)) + REQUEST);
      c.awaitResponses(1, 10_000);
      c.send(REQUEST);
      c.awaitResponses(2, 10_000);
    }
    List<String> first = List.copyOf(peers);
    assertThat(first).containsExactly("2001:db8::9", "2001:db8::9");
    assertThat(first.get(1)).as("the second request reuses the first one's text").isSameAs(first.get(0));

    try (RawConnection c = RawConnection.open(port)) {
      c.send(ProxyHeaders.text(ProxyHeaders.v2("2001:db8::7", 6001, "2001:db8::1", 443)) + REQUEST);
      c.awaitResponses(1, 10_000);
    }
    assertThat(peers).hasSize(3).last().isEqualTo("2001:db8::7");
  }

  @Test
  void aV2LocalHeaderAndAV1UnknownOneKeepTheSocketsPeerOnEveryRequest() throws IOException {
    int port = start(true);
    for (byte[] header : List.of(ProxyHeaders.v2Local(), ProxyHeaders.v1Unknown())) {
      try (RawConnection c = RawConnection.open(port)) {
        c.send(ProxyHeaders.text(header) + REQUEST);
        c.awaitResponses(1, 10_000);
        c.send(REQUEST);
        c.awaitResponses(2, 10_000);
      }
    }
    assertThat(peers).containsExactly("127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
  }

  @Test
  void afterTheHeaderAConnectionHasTheSamePipelineAsOneWithoutTheProtocol() throws IOException {
    int withHeader = start(true);
    int without = start(false);
    try (RawConnection c = RawConnection.open(withHeader)) {
      c.send(ProxyHeaders.text(ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80)) + REQUEST);
      c.awaitResponses(1, 10_000);
      c.send(REQUEST);
      c.awaitResponses(2, 10_000);
    }
    try (RawConnection c = RawConnection.open(without)) {
      c.send(REQUEST);
      c.awaitResponses(1, 10_000);
    }
    List<List<String>> seen = List.copyOf(pipelines);
    assertThat(peers).containsExactly("198.51.100.8", "198.51.100.8", "127.0.0.1");
    // No PROXY header decoder, proxy-protocol timeout or Vert.x completion handler is left behind.
    assertThat(seen.get(0)).contains("httpDecoder", "handler")
        .noneMatch(name -> name.contains("HAProxy") || name.contains("Completion"));
    assertThat(seen.get(1)).isEqualTo(seen.get(0));
    assertThat(seen.get(2)).isEqualTo(seen.get(0));
  }

  /** A server set up as the gateway's listener (strict decoder, header timeout), with or without the protocol. */
  private int start(boolean proxyProtocol) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setHttp2ClearTextEnabled(false).setIdleTimeout(60).setUseProxyProtocol(proxyProtocol);
    EdgeConnections connections = new EdgeConnections(options, EdgeConnections.DEFAULT_REQUEST_HEADER_TIMEOUT_MS, false);
    HttpServer server = vertx.createHttpServer(options)
        .connectionHandler(connections::accept)
        .requestHandler(request -> {
          peers.add(String.valueOf(PeerAddress.of(request)));
          pipelines.add(((HttpServerConnection) request.connection()).channelHandlerContext().pipeline().names());
          request.response().end("ok");
        });
    Await.result(server.listen());
    toClose.add(() -> Await.result(server.close()));
    return server.actualPort();
  }
}
