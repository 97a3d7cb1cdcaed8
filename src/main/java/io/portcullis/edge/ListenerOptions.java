package io.portcullis.edge;

import io.portcullis.config.ServerConfig;
import io.portcullis.config.TlsConfig;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The main listener's Vert.x options, from {@code server}: HTTPS with ALPN when {@code server.tls}
 * is set (on the engine {@link ListenerTlsEngine} picks), HTTP/2 settings, the HTTP/2 rapid-reset protection (CVE-2023-44487), and the PROXY
 * protocol ({@code server.proxyProtocol}): Vert.x decodes the header (v1 or v2, with Netty's
 * {@code HAProxyMessageDecoder}) before TLS and HTTP, and makes its source the request's
 * {@code remoteAddress()}; a v2 {@code LOCAL} or v1 {@code UNKNOWN} header keeps the socket's
 * peer. A connection whose header is missing or malformed is closed without an answer (counted by
 * {@link ProxyHeaderRejections}); one whose header is not complete within the request-header
 * timeout is closed too.
 *
 * <p>Vert.x's own cleartext HTTP/2 is always off: it would accept the HTTP/1.1 {@code Upgrade: h2c}
 * exchange too, and it announces an HTTP/1.x connection only once its first request head was
 * decoded, too late to install the strict decoder for that request. {@code server.h2c} is served by
 * {@link PriorKnowledgeDetector} instead.
 */
public final class ListenerOptions {

  /**
   * Most {@code RST_STREAM} frames one HTTP/2 connection may send in {@link #RST_FLOOD_WINDOW_SECONDS}
   * before it is closed with {@code GOAWAY ENHANCE_YOUR_CALM}. A browser cancelling navigations
   * stays far below; a rapid-reset flood crosses it within a fraction of a second.
   */
  static final int RST_FLOOD_MAX_FRAMES = 200;
  /** The window of {@link #RST_FLOOD_MAX_FRAMES}. */
  static final int RST_FLOOD_WINDOW_SECONDS = 30;

  private ListenerOptions() {
  }

  /** Whether {@code server} serves cleartext HTTP/2 with prior knowledge. */
  public static boolean priorKnowledgeH2c(ServerConfig server) {
    return server.h2c() && server.tls().isEmpty();
  }

  /**
   * The main listener's options for {@code server}, with the request-header timeout as the time a
   * connection has to send its whole PROXY header (when {@code server.proxyProtocol} is on); with
   * TLS, {@code keyCert} is what it serves (the {@link ListenerCertificate}'s current pair), or null
   * to let Vert.x read the files.
   *
   * @param headerTimeoutMs the request-header timeout; 0 or less keeps Vert.x's own 10 s
   */
  public static HttpServerOptions of(ServerConfig server, long headerTimeoutMs, KeyCertOptions keyCert) {
    HttpServerOptions options = of(server, keyCert);
    if (server.proxyProtocol()) {
      options.setUseProxyProtocol(true);
      if (headerTimeoutMs > 0) {
        options.setProxyProtocolTimeout(headerTimeoutMs).setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
      }
    }
    return options;
  }

  /** {@link #of(ServerConfig, long, KeyCertOptions)} with the key and certificate read by Vert.x from the files. */
  public static HttpServerOptions of(ServerConfig server, long headerTimeoutMs) {
    return of(server, headerTimeoutMs, null);
  }

  /** The main listener's options for {@code server}, without the PROXY protocol; Vert.x reads the key and certificate files. */
  public static HttpServerOptions of(ServerConfig server) {
    return of(server, null);
  }

  /**
   * The main listener's options for {@code server}, without the PROXY protocol; with TLS,
   * {@code keyCert} is what it serves, or null to let Vert.x read the files.
   */
  public static HttpServerOptions of(ServerConfig server, KeyCertOptions keyCert) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(server.host())
        .setMaxHeaderSize(server.maxHeaderBytes())
        .setMaxInitialLineLength(Math.max(4096, server.maxHeaderBytes()))
        .setTcpNoDelay(true)
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHandle100ContinueAutomatically(false)
        // A WebSocket handshake is tunnelled to the upstream, which answers its extensions
        // (proxy.WebSocketProxy: toNetSocket, where Vert.x takes its extension handler out before
        // the 101 is written). Offering none here keeps that handler out of every HTTP/1.1
        // connection's pipeline, where each request and response would pass through it.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // Every request and response of a connection is handled on its own event loop: writes go
        // straight to the channel instead of through a per-connection MPSC queue (4 KiB of heap per
        // connection, idle or not, and an atomic hand-off per write). A write from another thread
        // fails loudly (IllegalStateException) instead of racing.
        .setStrictThreadMode(true)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(server.maxConcurrentStreams())
            // Room for HTTP/2's 32 bytes per field and the pseudo-header fields above
            // server.maxHeaderBytes, which the hygiene stage applies as HTTP/1.1 counts it, and
            // answers with 431 and its JSON body (the HTTP/2 codec's own 431 has neither).
            .setMaxHeaderListSize(http2HeaderListSize(server.maxHeaderBytes())))
        .setHttp2RstFloodMaxRstFramePerWindow(RST_FLOOD_MAX_FRAMES)
        .setHttp2RstFloodWindowDuration(RST_FLOOD_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    if (server.idleTimeoutMs() > 0) {
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, server.idleTimeoutMs()))
          .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    if (server.tls().isPresent()) {
      TlsConfig tls = server.tls().get();
      options.setSsl(true)
          .setKeyCertOptions(keyCert != null ? keyCert
              : new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
          .setTrustOptions(NoClientCertificates.OPTIONS)
          .setSslEngineOptions(ListenerTlsEngine.options(tls.engine()))
          .setUseAlpn(true)
          .setAlpnVersions(server.http2() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)
              : List.of(HttpVersion.HTTP_1_1));
    }
    return options;
  }

  /**
   * The HTTP/2 {@code SETTINGS_MAX_HEADER_LIST_SIZE} for {@code server.maxHeaderBytes}: twice it
   * plus 4 KiB, so that a header list just over the limit as HTTP/1.1 counts it still reaches the
   * hygiene stage (up to about 128 fields of HTTP/2's 32-byte overhead each), while a far larger
   * one is refused by the codec before it is decoded whole.
   */
  static long http2HeaderListSize(long maxHeaderBytes) {
    return Math.min(0xFFFFFFFFL, 2 * maxHeaderBytes + 4096);
  }
}
