package io.portcullis.observe;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.HttpServerConnection;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of open connections, shared by every event loop: given each connection as it opens (a
 * server's connection handler, an HTTP client's connect handler), it counts it until its channel
 * closes. The close is taken from the Netty channel, not from the Vert.x connection, so a
 * connection that became something else (a WebSocket tunnel, HTTP/2 by prior knowledge) is still
 * counted once, and the connection's own close handler stays free for its owner.
 */
public final class OpenConnections implements Handler<HttpConnection> {

  private final AtomicInteger open = new AtomicInteger();

  /** Counts {@code connection} until it closes. */
  @Override
  public void handle(HttpConnection connection) {
    Channel channel = channel(connection);
    open.incrementAndGet();
    if (channel != null) {
      channel.closeFuture().addListener(closed -> open.decrementAndGet());
    } else {
      connection.closeHandler(v -> open.decrementAndGet());
    }
  }

  /** The connections open now. */
  public int count() {
    return open.get();
  }

  private static Channel channel(HttpConnection connection) {
    if (connection instanceof HttpServerConnection server) {
      return server.channelHandlerContext().channel();
    }
    if (connection instanceof HttpClientConnectionInternal client) {
      return client.channelHandlerContext().channel();
    }
    return null;
  }
}
