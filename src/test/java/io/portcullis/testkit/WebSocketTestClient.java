package io.portcullis.testkit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client for integration tests, on its own Vert.x instance (close it after the
 * test). Connections are made on an event loop of that instance and their handlers set there
 * before any frame can arrive; received messages are queued for the test thread.
 */
public final class WebSocketTestClient implements AutoCloseable {

  /** An open WebSocket: the messages it received (String for text, Buffer for binary) and its close. */
  public static final class Connection {
    private final WebSocket ws;
    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();

    Connection(WebSocket ws) {
      this.ws = ws;
      ws.textMessageHandler(received::add);
      ws.binaryMessageHandler(received::add);
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }

    /** The socket. */
    public WebSocket ws() {
      return ws;
    }

    /** The next message received, failing the test after {@code timeoutMs}. */
    public Object next(long timeoutMs) {
      try {
        Object message = received.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (message == null) {
          throw new AssertionError("no message within " + timeoutMs + " ms");
        }
        return message;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** Sends a text message and returns the next message received (the echo). */
    public Object echo(String text) {
      Await.result(ws.writeTextMessage(text));
      return next(10_000);
    }

    /** Completes with the close code the peer sent (null when the connection closed without one). */
    public CompletableFuture<Short> closed() {
      return closed;
    }

    /** Whether the connection has closed. */
    public boolean isClosed() {
      return closed.isDone();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(WebSocketBackend.MAX_FRAME_BYTES)
      .setMaxMessageSize(4 * WebSocketBackend.MAX_FRAME_BYTES));

  /**
   * Opens a WebSocket to {@code path} on the loopback {@code port}.
   *
   * @param headerNameValues extra handshake headers, names and values alternating
   */
  public Future<Connection> connect(int port, String path, List<String> subProtocols, String... headerNameValues) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setSubProtocols(subProtocols);
    for (int i = 0; i + 1 < headerNameValues.length; i += 2) {
      options.addHeader(headerNameValues[i], headerNameValues[i + 1]);
    }
    Promise<Connection> result = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> client.connect(options).map(Connection::new).onComplete(result));
    return result.future();
  }

  /** Opens a WebSocket and waits for it. */
  public Connection open(int port, String path) {
    return Await.result(connect(port, path, List.of()));
  }

  /** The client's Vert.x (to run code on its event loop). */
  public Vertx vertx() {
    return vertx;
  }

  /** A binary buffer of {@code size} bytes with a recognisable pattern. */
  public static Buffer pattern(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    return Buffer.buffer(bytes);
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
