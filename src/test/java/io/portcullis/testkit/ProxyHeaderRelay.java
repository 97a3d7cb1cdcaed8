package io.portcullis.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.function.Function;

/**
 * A TCP relay that behaves like a load balancer with the PROXY protocol on ({@code send-proxy} in
 * HAProxy): for every connection it accepts it opens one to the target, writes a PROXY header
 * first, then copies bytes both ways until either side closes. Any client (HTTP/1.1, h2c, TLS)
 * can then reach a server that expects the header. Listens on {@code 127.0.0.1}, port 0.
 */
public final class ProxyHeaderRelay implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;

  private ProxyHeaderRelay(NetServer server, NetClient client) {
    this.server = server;
    this.client = client;
  }

  /**
   * Starts a relay to {@code 127.0.0.1:targetPort}.
   *
   * @param header the header to write for an accepted client socket (its addresses are there to
   *     build one from, as a balancer would)
   */
  public static ProxyHeaderRelay start(Vertx vertx, int targetPort, Function<NetSocket, byte[]> header) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    NetServer server = vertx.createNetServer();
    server.connectHandler(downstream -> {
      downstream.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          downstream.close();
          return;
        }
        NetSocket upstream = ar.result();
        upstream.write(Buffer.buffer(header.apply(downstream)));
        downstream.pipeTo(upstream);
        upstream.pipeTo(downstream);
        downstream.resume();
      });
    });
    Await.result(server.listen(0, "127.0.0.1"));
    return new ProxyHeaderRelay(server, client);
  }

  /** The port the relay listens on. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    Await.result(server.close());
    Await.result(client.close());
  }
}
