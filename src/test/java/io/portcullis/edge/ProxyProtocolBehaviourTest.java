package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.handler.codec.http.HttpMessage;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.ProxyHeaderRelay;
import io.portcullis.testkit.ProxyHeaders;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestCertificates;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.PriorKnowledgeHttp2;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.HAProxyMessageCompletionHandler;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How Vert.x 5.0.7's own PROXY protocol support ({@code HttpServerOptions.setUseProxyProtocol},
 * Netty's {@code HAProxyMessageDecoder}) behaves, on a plain Vert.x server set up the way the
 * gateway sets up its listener: a connection handler that replaces {@code "httpDecoder"} with its
 * own decoder (here one that marks the requests it decodes) and, for h2c, puts a preface detector
 * in front of it that hands the connection to {@link PriorKnowledgeHttp2}. These facts decide how
 * {@code server.proxyProtocol} is wired; each test names one.
 */
@Timeout(60)
class ProxyProtocolBehaviourTest {

  private static final String REQUEST = "GET /who HTTP/1.1\r\nHost: spike\r\n\r\n";
  private static final long HEADER_TIMEOUT_MS = 300;

  @RegisterExtension
  final Closer toClose = new Closer();

  private Vertx vertx;
  private final Queue<Throwable> serverExceptions = new ConcurrentLinkedQueue<>();
  private final Queue<List<String>> pipelinesAtConnection = new ConcurrentLinkedQueue<>();
  private final ProxyHeaderRejections rejections = new ProxyHeaderRejections();

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    toClose.add(() -> Await.result(vertx.close()));
  }

  @Test
  void v1HeaderAndRequestInOneWriteGiveTheHeadersSourceAndReachTheReplacedDecoder() throws IOException {
    int port = start(options());
    try (RawConnection c = RawConnection.open(port)) {
      c.send(ProxyHeaders.text(ProxyHeaders.v1("198.51.100.7", 4711, "192.0.2.1", 443)) + REQUEST);
      String body = RawConnection.body(c.awaitResponses(1, 10_000).get(0));
      assertThat(body).contains("remote=198.51.100.7:4711", "local=192.0.2.1:443", "decodedBy=replaced",
          "real=127.0.0.1:");
    }
    // The HTTP connection is announced from inside the header decoder's read: the decoder is
    // still first in the pipeline (it removes itself, and passes on the bytes after the header,
    // once that read returns), so handlers added before "httpDecoder" see every request byte.
    assertThat(pipelinesAtConnection.peek()).startsWith("HAProxyMessageDecoder#0", "httpDecoder", "httpEncoder");
  }

  @Test
  void v1OverIpv6AndV2OverIpv4AndIpv6GiveTheHeadersSource() throws IOException {
    int port = start(options());
    // The message (and with it the TLV) is released by the encoder.
    HAProxyTLV tlv = new HAProxyTLV(HAProxyTLV.Type.PP2_TYPE_AUTHORITY,
        Unpooled.copiedBuffer("api.example", StandardCharsets.US_ASCII));
    byte[] v2WithTlv = ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80, tlv);
    List<byte[]> headers = List.of(ProxyHeaders.v1("2001:db8::7", 5000, "2001:db8::1", 443), v2WithTlv,
        ProxyHeaders.v2("2001:db8::9", 6000, "2001:db8::1", 443));
    // v1 addresses keep the balancer's spelling; v2 IPv6 ones are Netty's uncompressed hex groups.
    List<String> expected = List.of("remote=2001:db8::7:5000", "remote=198.51.100.8:1000",
        "remote=2001:db8:0:0:0:0:0:9:6000");
    for (int i = 0; i < headers.size(); i++) {
      try (RawConnection c = RawConnection.open(port)) {
        c.send(ProxyHeaders.text(headers.get(i)) + REQUEST);
        assertThat(RawConnection.body(c.awaitResponses(1, 10_000).get(0))).contains(expected.get(i), "decodedBy=replaced");
      }
    }
  }

  @Test
  void v2LocalAndV1UnknownKeepTheSocketsPeer() throws IOException {
    int port = start(options());
    for (byte[] header : List.of(ProxyHeaders.v2Local(), ProxyHeaders.v1Unknown())) {
      try (RawConnection c = RawConnection.open(port)) {
        c.send(ProxyHeaders.text(header) + REQUEST);
        String body = RawConnection.body(c.awaitResponses(1, 10_000).get(0));
        String remote = value(body, "remote");
        assertThat(remote).startsWith("127.0.0.1:").isEqualTo(value(body, "real"));
        assertThat(body).contains("decodedBy=replaced");
      }
    }
    assertThat(serverExceptions).isEmpty();
  }

  @Test
  void aMissingOrMalformedHeaderClosesWithoutAnAnswerAndReachesTheServersExceptionHandlerOnce()
      throws IOException {
    int port = start(options());
    byte[] badFamily = ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80);
    badFamily[13] = (byte) 0x71; // address family 7: not a family
    byte[] badVersion = ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80);
    badVersion[12] = (byte) 0x31; // version 3
    byte[] udp = ProxyHeaders.v2("198.51.100.8", 1000, "192.0.2.1", 80);
    udp[13] = (byte) 0x12; // AF_INET over DGRAM: decoded, then refused by Vert.x
    List<String> bad = List.of(
        REQUEST,
        "PROXY TCP4 198.51.100.7\r\n" + REQUEST,
        "PROXY TCP4 " + "1".repeat(200),
        "PROXY TCP4 999.1.1.1 192.0.2.1 1 2\r\n" + REQUEST,
        "\u0000".repeat(200),
        ProxyHeaders.text(badVersion) + REQUEST,
        ProxyHeaders.text(badFamily) + REQUEST,
        ProxyHeaders.text(udp) + REQUEST);
    try (LogCapture netty = LogCapture.of("io.netty"); LogCapture vertxLog = LogCapture.of("io.vertx")) {
      for (String bytes : bad) {
        try (RawConnection c = RawConnection.open(port)) {
          c.send(bytes);
          assertThat(c.awaitClosed(10_000)).as("closed after %s", abbreviate(bytes)).isTrue();
          assertThat(c.text()).as("answer to %s", abbreviate(bytes)).isEmpty();
        }
      }
      Await.until("every bad header reported", 10_000, () -> serverExceptions.size() >= bad.size());
      assertThat(serverExceptions).hasSize(bad.size());
      assertThat(serverExceptions.stream().filter(t -> t instanceof HAProxyProtocolException)).hasSize(bad.size() - 1);
      assertThat(serverExceptions).contains(HAProxyMessageCompletionHandler.UNSUPPORTED_PROTOCOL_EXCEPTION);
      assertThat(serverExceptions).allMatch(ProxyHeaderRejections::isProxyHeaderFailure);
      assertThat(rejections.rejected()).isEqualTo(bad.size());
      assertThat(netty.events()).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
      assertThat(vertxLog.events()).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }
    assertThat(pipelinesAtConnection).as("no HTTP connection was ever announced").isEmpty();
  }

  @Test
  void aConnectionClosedBeforeAnyByteIsNotReportedAsAFailure() throws IOException {
    int port = start(options());
    try (Socket probe = new Socket("127.0.0.1", port)) {
      // A balancer's TCP health check: connect, then close. Wait for the server's side to close
      // in turn, so the probe has been handled before the sentinel below.
      probe.shutdownOutput();
      assertThat(probe.getInputStream().read()).isEqualTo(-1);
    }
    try (RawConnection sentinel = RawConnection.open(port)) {
      sentinel.send(REQUEST);
      assertThat(sentinel.awaitClosed(10_000)).isTrue();
    }
    Await.until("the sentinel's failure reported", 10_000, () -> !serverExceptions.isEmpty());
    assertThat(serverExceptions).hasSize(1);
    assertThat(rejections.rejected()).isEqualTo(1);
  }

  @Test
  void theHeaderTimeoutClosesASilentConnectionAndDefaultsToTenSeconds() throws IOException {
    assertThat(new HttpServerOptions().getProxyProtocolTimeout()).isEqualTo(10);
    assertThat(new HttpServerOptions().getProxyProtocolTimeoutUnit()).isEqualTo(TimeUnit.SECONDS);
    int port = start(options());
    long opened = System.nanoTime();
    try (RawConnection silent = RawConnection.open(port); RawConnection partial = RawConnection.open(port)) {
      partial.send("PROXY TCP4 198.51");
      assertThat(silent.awaitClosed(10_000)).isTrue();
      assertThat(partial.awaitClosed(10_000)).isTrue();
      long silentMs = TimeUnit.NANOSECONDS.toMillis(silent.closedAtNanos() - opened);
      assertThat(silentMs).isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 50).isLessThan(8_000);
      assertThat(partial.text()).isEmpty();
    }
    // A timeout is not reported to the exception handler.
    assertThat(serverExceptions).isEmpty();
    assertThat(rejections.rejected()).isZero();
  }

  @Test
  void theHeaderTimeoutIsADeadlineForTheWholeHeaderThatBytesDoNotExtend() throws Exception {
    // The timeout's IdleStateHandler sits behind the header decoder, which passes nothing on
    // until the header is whole: bytes of a header in progress never reach it to re-arm it.
    int port = start(options());
    try (RawConnection dribbler = RawConnection.open(port)) {
      long started = System.nanoTime();
      // 44 bytes, one every 100 ms: 4.3 s in all, against a 300 ms timeout.
      String header = ProxyHeaders.text(ProxyHeaders.v1("198.51.100.7", 4711, "192.0.2.1", 443));
      CompletableFuture<Void> trickled = dribbler.trickle(header, 100);
      assertThat(dribbler.awaitClosed(10_000)).isTrue();
      long closedMs = TimeUnit.NANOSECONDS.toMillis(dribbler.closedAtNanos() - started);
      assertThat(closedMs).isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 50);
      assertThat(trickled).as("closed before the header was complete").failsWithin(10, TimeUnit.SECONDS);
      assertThat(dribbler.text()).isEmpty();
    }
  }

  @Test
  void theHeaderComesBeforeTheTlsHandshakeAndServesHttp11AndH2(@TempDir Path dir) {
    TestCertificates.PemPair pem = TestCertificates.authority("spike CA").server("localhost").writeTo(dir, "server");
    // The balancer's header arrives at once; the default timeout leaves room for a slow first TLS set-up.
    HttpServerOptions options = options().setProxyProtocolTimeout(10).setProxyProtocolTimeoutUnit(TimeUnit.SECONDS)
        .setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pem.certFile().toString())
            .setKeyPath(pem.keyFile().toString()))
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    int port = start(options);
    ProxyHeaderRelay relay = toClose.add(ProxyHeaderRelay.start(vertx, port,
        socket -> ProxyHeaders.v1("198.51.100.20", 2020, "192.0.2.1", 443)));
    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(version));
      String body = Await.onContext(vertx, () -> client.request(HttpMethod.GET, relay.port(), "localhost", "/who")
          .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
      assertThat(body).startsWith(version.name()).contains("remote=198.51.100.20:2020");
      Await.result(client.close());
    }
  }

  @Test
  void h2cByPriorKnowledgeAfterTheHeaderGivesTheHeadersSourceOnTheHttp2Connection() {
    int port = start(options().setProxyProtocolTimeout(10).setProxyProtocolTimeoutUnit(TimeUnit.SECONDS), true);
    ProxyHeaderRelay relay = toClose.add(ProxyHeaderRelay.start(vertx, port,
        socket -> ProxyHeaders.v2("198.51.100.30", 3030, "192.0.2.1", 80)));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String body = Await.onContext(vertx, () -> client.request(HttpMethod.GET, relay.port(), "127.0.0.1", "/who")
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
    assertThat(body).startsWith("HTTP_2").contains("remote=198.51.100.30:3030", "h2c=true");
    Await.result(client.close());
  }

  // ---------------------------------------------------------------------------------------------

  private static HttpServerOptions options() {
    return new HttpServerOptions().setHost("127.0.0.1").setPort(0).setUseProxyProtocol(true)
        .setProxyProtocolTimeout(HEADER_TIMEOUT_MS).setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS)
        .setHttp2ClearTextEnabled(false);
  }

  private int start(HttpServerOptions options) {
    return start(options, false);
  }

  /** A server answering {@code remote=… real=… local=… decodedBy=… h2c=…} set up as described above. */
  private int start(HttpServerOptions options, boolean h2c) {
    HttpServer server = vertx.createHttpServer(options);
    Handler<HttpServerRequest> requests = req -> {
      HttpConnection conn = req.connection();
      req.response().end("remote=" + req.remoteAddress() + " real=" + conn.remoteAddress(true)
          + " local=" + req.localAddress() + " decodedBy=" + req.getHeader("x-decoded-by")
          + " h2c=" + (req.version() == HttpVersion.HTTP_2 && !req.isSSL()));
    };
    Handler<Throwable> exceptions = failure -> {
      serverExceptions.add(failure);
      rejections.handle(failure);
    };
    server.requestHandler(requests).exceptionHandler(exceptions);
    server.connectionHandler(new Handler<>() {
      @Override
      public void handle(HttpConnection connection) {
        HttpServerConnection internal = (HttpServerConnection) connection;
        ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
        if (pipeline.get("httpDecoder") == null) {
          return; // HTTP/2
        }
        pipelinesAtConnection.add(pipeline.names());
        pipeline.replace("httpDecoder", "httpDecoder", new MarkingDecoder(options));
        if (h2c) {
          pipeline.addBefore("httpDecoder", "h2cDetector", new PrefaceDetector(ctx -> {
            ctx.pipeline().remove("httpDecoder");
            ctx.pipeline().remove("httpEncoder");
            PriorKnowledgeHttp2.install(ctx.pipeline(), server, options, internal.context(),
                "http://127.0.0.1:" + server.actualPort(), requests, HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER, this, exceptions);
          }));
        }
      }
    });
    Await.result(server.listen());
    toClose.add(() -> Await.result(server.close()));
    return server.actualPort();
  }

  private static String value(String body, String key) {
    for (String part : body.split(" ")) {
      if (part.startsWith(key + "=")) {
        return part.substring(key.length() + 1);
      }
    }
    throw new AssertionError(key + " not in " + body);
  }

  private static String abbreviate(String bytes) {
    String printable = bytes.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }

  /** The gateway's strict decoder stands here: Vert.x's decoder, marking each request it decodes. */
  private static final class MarkingDecoder extends VertxHttpRequestDecoder {

    MarkingDecoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      HttpMessage message = super.createMessage(initialLine);
      message.headers().set("x-decoded-by", "replaced");
      return message;
    }
  }

  /** Holds back the first bytes until they are, or cannot be, the HTTP/2 connection preface. */
  private static final class PrefaceDetector extends ChannelInboundHandlerAdapter {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final Handler<ChannelHandlerContext> toHttp2;
    private ByteBuf held = Unpooled.buffer();

    PrefaceDetector(Handler<ChannelHandlerContext> toHttp2) {
      this.toHttp2 = toHttp2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        ctx.fireChannelRead(msg);
        return;
      }
      held.writeBytes(buf);
      buf.release();
      int n = Math.min(held.readableBytes(), PREFACE.length);
      boolean matches = ByteBufUtil.equals(held, 0, Unpooled.wrappedBuffer(PREFACE), 0, n);
      if (matches && n < PREFACE.length) {
        return;
      }
      if (matches) {
        toHttp2.handle(ctx);
      }
      ByteBuf bytes = held;
      held = null;
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(bytes);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      if (held != null) {
        held.release();
        held = null;
      }
    }
  }
}
