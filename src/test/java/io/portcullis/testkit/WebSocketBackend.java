package io.portcullis.testkit;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket echo backend on a random loopback port, on its own Vert.x instance: it echoes
 * every text and binary message back as it came (frames up to 1 MiB), records every handshake's
 * headers, the sizes of the binary messages it received and the close code of each socket. Plain
 * HTTP requests get 200 {@code plain}. What it does with a handshake is programmable: accept
 * (offering the sub-protocol {@code chat}), reject with a status, or never answer.
 */
public final class WebSocketBackend implements AutoCloseable {

  /** Largest frame either side of the tests sends. */
  public static final int MAX_FRAME_BYTES = 1024 * 1024;

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<MultiMap> handshakes = new CopyOnWriteArrayList<>();
  private final List<MultiMap> plainRequests = new CopyOnWriteArrayList<>();
  private final List<Integer> binarySizes = new CopyOnWriteArrayList<>();
  private final List<ServerWebSocket> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closedConnections = new AtomicInteger();
  private final Promise<Short> firstClose = Promise.promise();
  private volatile int rejectStatus;
  private volatile boolean silent;
  private volatile boolean readPaused;
  private final List<Runnable> resumes = new CopyOnWriteArrayList<>();

  private WebSocketBackend() {
    server = vertx.createHttpServer(new HttpServerOptions()
            .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
            .setMaxWebSocketMessageSize(4 * MAX_FRAME_BYTES)
            .setWebSocketSubProtocols(List.of("chat")))
        .connectionHandler(c -> {
          connections.incrementAndGet();
          c.closeHandler(v -> closedConnections.incrementAndGet());
        })
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::echo)
        .requestHandler(req -> {
          plainRequests.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
          req.response().end("plain");
        });
  }

  /** Starts an accepting echo backend. */
  public static WebSocketBackend start() {
    WebSocketBackend backend = new WebSocketBackend();
    Await.result(backend.server.listen(0, "127.0.0.1"));
    return backend;
  }

  /** From now on every handshake is rejected with {@code status}. */
  public WebSocketBackend rejectWith(int status) {
    this.rejectStatus = status;
    return this;
  }

  /** From now on handshakes are never answered. */
  public WebSocketBackend silent() {
    this.silent = true;
    return this;
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    handshakes.add(MultiMap.caseInsensitiveMultiMap().addAll(handshake.headers()));
    if (silent) {
      return;
    }
    if (rejectStatus > 0) {
      handshake.reject(rejectStatus);
    } else {
      handshake.accept();
    }
  }

  /** From now on new WebSockets do not read until {@link #resumeReading()}. */
  public WebSocketBackend pauseReading() {
    this.readPaused = true;
    return this;
  }

  /** Lets every paused WebSocket read again. */
  public void resumeReading() {
    readPaused = false;
    resumes.forEach(Runnable::run);
  }

  private void echo(ServerWebSocket ws) {
    open.add(ws);
    if (readPaused) {
      ws.pause();
      io.vertx.core.Context context = vertx.getOrCreateContext();
      resumes.add(() -> context.runOnContext(v -> ws.resume()));
    }
    ws.textMessageHandler(ws::writeTextMessage);
    ws.binaryMessageHandler(buf -> {
      binarySizes.add(buf.length());
      ws.writeBinaryMessage(buf);
    });
    ws.closeHandler(v -> {
      open.remove(ws);
      Short code = ws.closeStatusCode();
      firstClose.tryComplete(code);
    });
  }

  /** Closes every open WebSocket from the backend side with {@code code} and {@code reason}. */
  public void closeAll(short code, String reason) {
    for (ServerWebSocket ws : open) {
      ws.close(code, reason);
    }
  }

  /** The close code the first socket to close received from its peer (null: none). */
  public io.vertx.core.Future<Short> firstCloseCode() {
    return firstClose.future();
  }

  /** The port. */
  public int port() {
    return server.actualPort();
  }

  /** Headers of every handshake received so far. */
  public List<MultiMap> handshakes() {
    return handshakes;
  }

  /** Headers of every plain (non-upgrade) request received so far. */
  public List<MultiMap> plainRequests() {
    return plainRequests;
  }

  /** Sizes of the binary messages received so far. */
  public List<Integer> binarySizes() {
    return binarySizes;
  }

  /** WebSockets now open. */
  public int openSockets() {
    return open.size();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** HTTP connections closed so far (by either side; an upgraded connection is not counted). */
  public int closedConnections() {
    return closedConnections.get();
  }

  /**
   * Waits until every accepted connection that was not upgraded has closed, failing after
   * {@code timeoutMs}.
   */
  public void awaitAllConnectionsClosed(long timeoutMs) throws InterruptedException {
    long end = System.nanoTime() + timeoutMs * 1_000_000L;
    while (closedConnections.get() < connections.get()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(connections.get() - closedConnections.get() + " backend connection(s) still open");
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
