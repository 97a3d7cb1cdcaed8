package io.portcullis.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw TCP server ({@link NetServer}) for faults a well-behaved HTTP server never
 * makes: closing the socket after reading a request, a body cut short, a stalled or trickling
 * body, a malformed status line. It parses each request head (and skips a
 * {@code Content-Length} body), records it, then hands the socket to the test's
 * {@link Behaviour}. Every accepted connection is recorded with a future completing when the
 * socket closes, so a test can observe the gateway resetting an upstream connection.
 */
public final class FaultBackend implements AutoCloseable {

  /** What the backend does once a whole request has been read. */
  @FunctionalInterface
  public interface Behaviour {
    /**
     * Reacts to request number {@code index} (1-based, counted over all connections).
     *
     * @param backend the backend (for its Vert.x timers)
     * @param socket the connection the request came on
     * @param request the request as received
     */
    void onRequest(FaultBackend backend, NetSocket socket, Request request);
  }

  /** A request as received: its 1-based number, its head text and its connection. */
  public record Request(int index, String head, Connection connection) {
    /** The request line ({@code GET /x HTTP/1.1}). */
    public String requestLine() {
      int end = head.indexOf("\r\n");
      return end < 0 ? head : head.substring(0, end);
    }

    /** A header value, case-insensitive, or null. */
    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** One accepted TCP connection and when it closed. */
  public static final class Connection {
    private final Promise<Void> closed = Promise.promise();

    /** Completes when the socket is closed (by either side). */
    public Future<Void> closed() {
      return closed.future();
    }
  }

  private final Vertx vertx;
  private final NetServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private volatile Behaviour behaviour;

  private FaultBackend(Vertx vertx, Behaviour behaviour) {
    this.vertx = vertx;
    this.behaviour = behaviour;
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** Starts a backend on its own Vert.x instance, on a random loopback port. */
  public static FaultBackend start(Behaviour behaviour) {
    Vertx vertx = Vertx.vertx();
    FaultBackend backend = new FaultBackend(vertx, behaviour);
    Await.result(backend.server.listen(0, "127.0.0.1"));
    return backend;
  }

  /** Replaces the behaviour. */
  public void behaviour(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  /** The port. */
  public int port() {
    return server.actualPort();
  }

  /** The backend's Vert.x (for timers in behaviours). */
  public Vertx vertx() {
    return vertx;
  }

  /** Every request received so far, in order. */
  public List<Request> requests() {
    return requests;
  }

  /** Number of requests received so far. */
  public int requestCount() {
    return requests.size();
  }

  /** Every connection accepted so far, in order. */
  public List<Connection> connections() {
    return connections;
  }

  private void accept(NetSocket socket) {
    Connection connection = new Connection();
    connections.add(connection);
    socket.closeHandler(v -> connection.closed.tryComplete());
    socket.exceptionHandler(err -> { });
    Buffer[] pending = {Buffer.buffer()};
    long[] bodyLeft = {0};
    socket.handler(chunk -> {
      pending[0] = pending[0].copy().appendBuffer(chunk);
      while (pending[0].length() > 0) {
        if (bodyLeft[0] > 0) {
          int skip = (int) Math.min(bodyLeft[0], pending[0].length());
          bodyLeft[0] -= skip;
          pending[0] = pending[0].getBuffer(skip, pending[0].length());
          continue;
        }
        String text = pending[0].toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        String head = text.substring(0, end);
        pending[0] = pending[0].getBuffer(end + 4, pending[0].length());
        Request request = new Request(counter.incrementAndGet(), head, connection);
        String length = request.header("Content-Length");
        if (length != null) {
          bodyLeft[0] = Long.parseLong(length.trim());
        }
        requests.add(request);
        behaviour.onRequest(this, socket, request);
      }
    });
  }

  // ---- ready-made behaviours ----

  /** Closes the connection right after reading the request, before any response byte. */
  public static Behaviour closeAfterRequest() {
    return (backend, socket, request) -> socket.close();
  }

  /** Writes {@code raw} as is and keeps the connection open. */
  public static Behaviour writeRaw(String raw) {
    return (backend, socket, request) -> socket.write(Buffer.buffer(raw.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /**
   * Sends a 200 head announcing {@code contentLength} bytes, then {@code sent} bytes, then closes
   * the connection.
   */
  public static Behaviour truncatedBody(int contentLength, int sent) {
    return (backend, socket, request) -> socket.write(okHead(contentLength) + "x".repeat(sent))
        .onComplete(ar -> socket.close());
  }

  /** Sends a 200 head announcing {@code contentLength} bytes and then nothing, keeping the socket open. */
  public static Behaviour stalledBody(int contentLength) {
    return (backend, socket, request) -> socket.write(okHead(contentLength));
  }

  /**
   * Sends a 200 head announcing {@code contentLength} bytes, then one byte every
   * {@code everyMs}, so the body would take {@code contentLength * everyMs} ms.
   */
  public static Behaviour trickle(int contentLength, long everyMs) {
    return (backend, socket, request) -> {
      socket.write(okHead(contentLength));
      int[] left = {contentLength};
      backend.vertx.setPeriodic(everyMs, id -> {
        if (left[0]-- <= 0) {
          backend.vertx.cancelTimer(id);
          return;
        }
        socket.write("x").onFailure(err -> backend.vertx.cancelTimer(id));
      });
    };
  }

  /** Writes {@code raw} as is, then closes the connection once it is written. */
  public static Behaviour writeRawThenClose(String raw) {
    return (backend, socket, request) -> socket.write(Buffer.buffer(raw.getBytes(StandardCharsets.ISO_8859_1)))
        .onComplete(ar -> socket.close());
  }

  /**
   * A 200 with a {@code Content-Length} body of {@code contentLength} bytes, written as fast as
   * the connection takes it and no faster: the backend writes while its write queue has room
   * and waits for the drain handler otherwise, so what it has written shows how far the gateway
   * lets a response run ahead of its client. {@link #stalled()} completes (with the bytes
   * written so far) the first time the drain handler is not called for {@code stallMs}.
   */
  public static final class Flood implements Behaviour {
    private static final int CHUNK = 64 * 1024;
    private final long contentLength;
    private final long stallMs;
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    private final Promise<Long> stalled = Promise.promise();
    private final Promise<Long> finished = Promise.promise();

    /** A flood of {@code contentLength} bytes; a stall is {@code stallMs} without a drain. */
    public Flood(long contentLength, long stallMs) {
      this.contentLength = contentLength;
      this.stallMs = stallMs;
    }

    @Override
    public void onRequest(FaultBackend backend, NetSocket socket, Request request) {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + contentLength
          + "\r\n\r\n");
      pump(backend, socket);
    }

    private void pump(FaultBackend backend, NetSocket socket) {
      while (written.get() < contentLength) {
        if (socket.writeQueueFull()) {
          long timer = backend.vertx.setTimer(stallMs, id -> stalled.tryComplete(written.get()));
          socket.drainHandler(v -> {
            backend.vertx.cancelTimer(timer);
            pump(backend, socket);
          });
          return;
        }
        int n = (int) Math.min(CHUNK, contentLength - written.get());
        socket.write(Buffer.buffer(new byte[n]));
        written.addAndGet(n);
      }
      finished.tryComplete(written.get());
    }

    /** Body bytes handed to the socket so far. */
    public long written() {
      return written.get();
    }

    /** Completes with the bytes written when the first stall of {@code stallMs} is seen. */
    public Future<Long> stalled() {
      return stalled.future();
    }

    /** Completes when the whole body has been handed to the socket. */
    public Future<Long> finished() {
      return finished.future();
    }
  }

  private static String okHead(int contentLength) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + contentLength + "\r\n\r\n";
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
