package io.portcullis.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.portcullis.transport.LoopFlushes;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.PriorKnowledgeHttp2;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client connections of one gateway verticle (all on its event loop), set up as they arrive.
 *
 * <ul>
 *   <li>Every HTTP/1.x connection, cleartext or TLS, gets the {@link StrictRequestDecoder}, which
 *       keeps the request-header timeout ({@link HeaderReadTimeout}), before its first byte is decoded; a
 *       cleartext one also gets the {@link PriorKnowledgeDetector} when {@code server.h2c} is on.</li>
 *   <li>Every HTTP/2 connection (ALPN {@code h2}, or h2c with prior knowledge) is remembered until
 *       it closes, so that {@link #goAwayAll} can send each a {@code GOAWAY} when the drain
 *       starts: the client opens no new stream on it, the streams in flight complete.</li>
 *   <li>Every HTTP/2 connection gets Netty's {@link FlushConsolidationHandler} in front of its
 *       HTTP/2 handler: Vert.x flushes the connection after each stream's response, and responses
 *       come from upstream reads, so without it a connection carrying many streams makes one
 *       {@code write} (and, over TLS, one record) per response. With it, the flushes asked for
 *       while the event loop handles one batch of ready sockets become one, at the end of that
 *       batch (see docs/performance.md, "HTTP/2 clients").</li>
 *   <li>Every connection's {@code server.idleTimeoutMs} is kept by an {@link IdleTimeout} in place
 *       of Vert.x's idle handler, which costs a clock read per read and a listener per write
 *       (see docs/performance.md, "Hot path, second pass").</li>
 * </ul>
 */
public final class EdgeConnections {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeConnections.class);
  /** Default time a client gets to send a whole request head once it has started one (slowloris protection). */
  public static final long DEFAULT_REQUEST_HEADER_TIMEOUT_MS = 10_000;
  /** {@code NO_ERROR} (RFC 9113 §7): a graceful GOAWAY. */
  private static final long NO_ERROR = 0;
  /** Vert.x's name for a connection's HTTP/2 handler in the pipeline. */
  private static final String HTTP2_HANDLER = "handler";
  /** Pipeline name of the flush consolidation in front of it. */
  static final String FLUSH_CONSOLIDATION = "flushConsolidation";

  private final HttpServerOptions options;
  private final long requestHeaderTimeoutMs;
  private final boolean priorKnowledgeH2c;
  private final Set<HttpConnection> http2 = new HashSet<>();
  private HttpServer server;
  private Handler<HttpServerRequest> requestHandler;
  private Handler<HttpServerRequest> invalidRequestHandler;

  /**
   * @param options the listener's options (for the strict decoder)
   * @param requestHeaderTimeoutMs the request-header timeout; 0 or less turns it off
   * @param priorKnowledgeH2c whether cleartext connections may switch to HTTP/2 by the preface
   */
  public EdgeConnections(HttpServerOptions options, long requestHeaderTimeoutMs, boolean priorKnowledgeH2c) {
    this.options = options;
    this.requestHeaderTimeoutMs = requestHeaderTimeoutMs;
    this.priorKnowledgeH2c = priorKnowledgeH2c;
  }

  /** The server and its handlers, for connections that switch to HTTP/2 by the preface. */
  public void serving(HttpServer server, Handler<HttpServerRequest> requestHandler,
               Handler<HttpServerRequest> invalidRequestHandler) {
    this.server = server;
    this.requestHandler = requestHandler;
    this.invalidRequestHandler = invalidRequestHandler;
  }

  /** The server's connection handler. */
  public void accept(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection internal)) {
      return;
    }
    // Vert.x works the peer address out on its first use and keeps it on the connection. Asked
    // here, once per connection, the request path (X-Forwarded-For, the client address) only ever
    // reads the kept one: its compiled code has no first-use branch that a new connection would
    // take, so new connections do not make the JIT throw away and recompile the request path.
    internal.remoteAddress();
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    IdleTimeout.replaceIn(pipeline);
    if (pipeline.get("httpDecoder") != null) {
      // A response is written while the loop handles its upstream's read: flushed with the
      // loop's other writes at the end of the pass (transport.LoopFlushes).
      LoopFlushes.install(pipeline);
      pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, requestHeaderTimeoutMs));
      if (priorKnowledgeH2c && !connection.isSsl()) {
        pipeline.addBefore("httpDecoder", PriorKnowledgeDetector.NAME,
            new PriorKnowledgeDetector(ctx -> toHttp2(ctx, internal)));
      }
    } else {
      if (pipeline.get(FLUSH_CONSOLIDATION) == null && pipeline.get(HTTP2_HANDLER) != null) {
        pipeline.addBefore(HTTP2_HANDLER, FLUSH_CONSOLIDATION, new FlushConsolidationHandler(
            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
      }
      http2.add(connection);
      connection.closeHandler(v -> http2.remove(connection));
    }
  }

  /**
   * A connection that became a tunnel (a WebSocket upgrade) carries no more request heads: its
   * request-header timeout goes.
   */
  public static void tunnelled(NetSocket socket) {
    // Vert.x takes the decoder, and its timeout with it, off the pipeline of an upgraded
    // connection; should it stay, its clock stops here.
    StrictRequestDecoder decoder = ((NetSocketInternal) socket).channelHandlerContext().pipeline()
        .get(StrictRequestDecoder.class);
    if (decoder != null) {
      decoder.stopHeaderTimeout();
    }
  }

  /** Sends a graceful {@code GOAWAY} to every open HTTP/2 connection (the drain starts). */
  public void goAwayAll() {
    if (!http2.isEmpty()) {
      LOG.debug("sending GOAWAY to {} HTTP/2 connection(s)", http2.size());
    }
    for (HttpConnection connection : List.copyOf(http2)) {
      connection.goAway(NO_ERROR);
    }
  }

  private void toHttp2(ChannelHandlerContext ctx, HttpServerConnection http1) {
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.remove("httpDecoder");
    pipeline.remove("httpEncoder");
    // The request-header timeout leaves with the decoder.
    String origin = "http://" + options.getHost() + ":" + server.actualPort();
    PriorKnowledgeHttp2.install(pipeline, server, options, http1.context(), origin, requestHandler,
        invalidRequestHandler, this::accept, err -> LOG.debug("h2c connection failed: {}", err.toString()));
  }
}
