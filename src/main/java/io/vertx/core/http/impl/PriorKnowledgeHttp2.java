package io.vertx.core.http.impl;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.VertxHandler;

/**
 * Hands a cleartext server connection that Vert.x set up for HTTP/1.x over to HTTP/2, for a
 * client that opened it with the HTTP/2 preface (prior knowledge, RFC 9113 §3.3).
 *
 * <p>Vert.x 5.0 serves prior-knowledge h2c only together with the HTTP/1.1 {@code Upgrade: h2c}
 * exchange ({@code HttpServerOptions.setHttp2ClearTextEnabled}), and then announces an HTTP/1.x
 * connection only after its first request head was decoded. Portcullis keeps that option off so
 * every HTTP/1.x connection is announced before its first byte (and gets the strict request
 * decoder), detects the preface itself and calls this. It lives in Vert.x's package because the
 * HTTP/2 connection factory Vert.x uses for its own h2c is package-private there; it builds the
 * same handler the same way, so HTTP/2 streams reach the same request handler, rapid-reset
 * protection and settings as over TLS.
 */
public final class PriorKnowledgeHttp2 {

  private PriorKnowledgeHttp2() {
  }

  /**
   * Replaces the HTTP/1.x connection handler of {@code pipeline} (whose HTTP/1.x codec the caller
   * has removed) with an HTTP/2 one whose streams go to {@code requestHandler}. The caller then
   * passes the bytes read so far, preface first, down the pipeline.
   *
   * @param server the server that accepted the connection
   * @param options that server's options
   * @param context the connection's event-loop context
   * @param serverOrigin {@code http://host:port} of the listener
   * @param connectionHandler told of the new HTTP/2 connection
   */
  public static void install(ChannelPipeline pipeline, HttpServer server, HttpServerOptions options,
                             ContextInternal context, String serverOrigin,
                             Handler<HttpServerRequest> requestHandler,
                             Handler<HttpServerRequest> invalidRequestHandler,
                             Handler<HttpConnection> connectionHandler,
                             Handler<Throwable> exceptionHandler) {
    HttpServerImpl impl = (HttpServerImpl) server;
    HttpServerConnectionHandler handler = new HttpServerConnectionHandler(impl, requestHandler,
        invalidRequestHandler, null, null, connectionHandler, exceptionHandler);
    HttpServerConnectionInitializer initializer = new HttpServerConnectionInitializer(context,
        context.threadingModel(), context::duplicate, impl, context.owner(), options, serverOrigin, handler,
        exceptionHandler, null);
    pipeline.replace(VertxHandler.class, "handler", initializer.buildHttp2ConnectionHandler());
    initializer.configureHttp2Pipeline(pipeline);
  }
}
