package io.portcullis.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two upgraded connections spliced together: the client's and the upstream's. Bytes are copied
 * both ways unchanged (WebSocket frames included, whatever their size) with back-pressure: a side
 * whose peer cannot keep up is paused until the peer's write queue drains. When either side ends
 * (close frame then TCP close, or a reset), the other side is ended too, after what was already
 * queued for it has been written; {@link #closed()} completes once both connections are closed.
 * Confined to one event loop (the client connection's, which is also the upstream's).
 */
public final class WebSocketTunnel {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTunnel.class);

  private final NetSocket client;
  private final NetSocket upstream;
  private final Promise<Void> closed = Promise.promise();
  private boolean clientClosed;
  private boolean upstreamClosed;

  private WebSocketTunnel(NetSocket client, NetSocket upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  /**
   * Splices {@code client} and {@code upstream} and starts copying. Both must be fresh sockets
   * whose handlers are not set yet (their inbound bytes wait until then).
   */
  public static WebSocketTunnel splice(NetSocket client, NetSocket upstream) {
    WebSocketTunnel tunnel = new WebSocketTunnel(client, upstream);
    tunnel.start();
    return tunnel;
  }

  private void start() {
    client.closeHandler(v -> {
      clientClosed = true;
      endQuietly(upstream, "upstream");
      checkClosed();
    });
    upstream.closeHandler(v -> {
      upstreamClosed = true;
      endQuietly(client, "client");
      checkClosed();
    });
    // Each direction ends its destination when its source ends or fails: close propagates
    // even when the peer's close handler comes later (a close frame is flushed before the FIN).
    client.pipe().endOnComplete(true).to(upstream)
        .onFailure(err -> LOG.debug("tunnel client->upstream ended: {}", err.toString()));
    upstream.pipe().endOnComplete(true).to(client)
        .onFailure(err -> LOG.debug("tunnel upstream->client ended: {}", err.toString()));
  }

  /** Completes once both connections are closed. */
  public Future<Void> closed() {
    return closed.future();
  }

  /** Closes both connections at once (for example when the gateway stops). */
  public void close() {
    client.close().onFailure(err -> LOG.debug("closing the tunnel's client side failed: {}", err.toString()));
    upstream.close().onFailure(err -> LOG.debug("closing the tunnel's upstream side failed: {}", err.toString()));
  }

  private static void endQuietly(NetSocket socket, String side) {
    socket.end().onFailure(err -> LOG.debug("ending the tunnel's {} side failed: {}", side, err.toString()));
  }

  private void checkClosed() {
    if (clientClosed && upstreamClosed) {
      closed.tryComplete();
    }
  }
}
