package io.portcullis.proxy;

import io.portcullis.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend on a raw {@link NetServer}, on its own Vert.x: answers every request head with
 * {@code reply} verbatim (or never, when {@code reply} is null) and records every byte it receives.
 */
final class RawBackend implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final NetServer server;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final List<Future<Void>> closed = new CopyOnWriteArrayList<>();

  private RawBackend(String reply) {
    server = vertx.createNetServer().connectHandler(socket -> accept(socket, reply));
  }

  /** Starts a backend answering {@code reply} (null: never answering) on a random loopback port. */
  static RawBackend start(String reply) {
    RawBackend backend = new RawBackend(reply);
    Await.result(backend.server.listen(0, "127.0.0.1"));
    return backend;
  }

  private void accept(NetSocket socket, String reply) {
    Promise<Void> done = Promise.promise();
    closed.add(done.future());
    StringBuilder pending = new StringBuilder();
    socket.closeHandler(v -> done.tryComplete());
    socket.handler(buffer -> {
      synchronized (bytes) {
        bytes.writeBytes(buffer.getBytes());
      }
      pending.append(buffer.toString(StandardCharsets.ISO_8859_1));
      int end;
      while (reply != null && (end = pending.indexOf("\r\n\r\n")) >= 0) {
        pending.delete(0, end + 4);
        socket.write(Buffer.buffer(reply.getBytes(StandardCharsets.ISO_8859_1)));
      }
    });
  }

  int port() {
    return server.actualPort();
  }

  /** Every byte received so far, on every connection (ISO-8859-1). */
  String received() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Waits until every connection accepted so far is closed (30 s at most). */
  void awaitAllClosed() {
    Await.result(Future.all(List.copyOf(closed)), 30_000);
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
