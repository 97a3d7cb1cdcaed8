package io.portcullis.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One raw TCP connection to the gateway that stays open across exchanges: a reader thread
 * collects every byte that comes back (so a response is read the moment it arrives, even while
 * the test is still writing) and notices when the server closes or resets the connection. For
 * slow clients: {@link #trickle} sends bytes one at a time at a fixed pace.
 */
public final class RawConnection implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final ScheduledExecutorService pacer;
  private boolean closed;
  private long closedAtNanos;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.pacer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raw-connection-pacer");
      t.setDaemon(true);
      return t;
    });
    Thread reader = new Thread(this::readLoop, "raw-connection-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to {@code 127.0.0.1:port}. */
  public static RawConnection open(int port) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new RawConnection(socket);
  }

  /** Takes over {@code socket}, already connected (a TLS socket after its handshake, say). */
  public static RawConnection over(Socket socket) throws IOException {
    return new RawConnection(socket);
  }

  private void readLoop() {
    byte[] chunk = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        synchronized (this) {
          received.write(chunk, 0, n);
          notifyAll();
        }
      }
    } catch (IOException e) {
      // reset by the server, or closed by us: either way the connection is over
    }
    synchronized (this) {
      closed = true;
      closedAtNanos = System.nanoTime();
      notifyAll();
    }
  }

  /** Writes {@code text} (ISO-8859-1) at once. */
  public void send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Sends {@code text} one byte every {@code everyMs} (the first one at once) on a pacer thread.
   * The future completes when the last byte is written, or fails when a write fails (the
   * server closed the connection).
   */
  public CompletableFuture<Void> trickle(String text, long everyMs) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] next = {0};
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    synchronized (task) {
      task[0] = pacer.scheduleAtFixedRate(() -> {
        synchronized (task) {
          if (done.isDone()) {
            return;
          }
          try {
            if (next[0] < bytes.length) {
              out.write(bytes[next[0]++]);
              out.flush();
            }
            if (next[0] >= bytes.length) {
              done.complete(null);
            }
          } catch (IOException e) {
            done.completeExceptionally(e);
          }
          if (done.isDone()) {
            task[0].cancel(false);
          }
        }
      }, 0, everyMs, TimeUnit.MILLISECONDS);
    }
    return done;
  }

  /** Everything received so far (ISO-8859-1). */
  public synchronized String text() {
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  /** Whether the server closed or reset the connection. */
  public synchronized boolean closed() {
    return closed;
  }

  /** {@link System#nanoTime()} when the connection was seen closed; only valid once {@link #closed()}. */
  public synchronized long closedAtNanos() {
    return closedAtNanos;
  }

  /**
   * Waits until the received text satisfies {@code condition} and returns it; fails after
   * {@code timeoutMs}, or when the connection closes without it being satisfied.
   */
  public synchronized String awaitText(Predicate<String> condition, long timeoutMs) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      String text = text();
      if (condition.test(text)) {
        return text;
      }
      if (closed) {
        throw new AssertionError("connection closed; received so far: " + text);
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("not received within " + timeoutMs + " ms; received so far: " + text);
      }
      waitNanos(left);
    }
  }

  /** Waits until {@code count} complete responses have arrived; returns them. */
  public List<String> awaitResponses(int count, long timeoutMs) {
    awaitText(t -> responses(t).size() >= count, timeoutMs);
    return responses(text());
  }

  /**
   * Waits up to {@code timeoutMs} for the server to close the connection.
   *
   * @return whether it closed in time
   */
  public synchronized boolean awaitClosed(long timeoutMs) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!closed) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      waitNanos(left);
    }
    return true;
  }

  private void waitNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * The complete responses at the start of {@code text}, each as its own text: framed by
   * {@code Content-Length} or by chunked coding (a response with neither is complete at its head).
   */
  public static List<String> responses(String text) {
    List<String> all = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd < 0) {
        break;
      }
      String head = text.substring(at, headEnd).toLowerCase();
      int bodyStart = headEnd + 4;
      int end = -1;
      java.util.regex.Matcher cl = java.util.regex.Pattern.compile("\r\ncontent-length: *([0-9]+)").matcher(head);
      if (head.contains("\r\ntransfer-encoding: chunked")) {
        end = chunkedEnd(text, bodyStart);
      } else if (cl.find()) {
        long length = Long.parseLong(cl.group(1));
        end = bodyStart + length <= text.length() ? (int) (bodyStart + length) : -1;
      } else {
        end = bodyStart;
      }
      if (end < 0) {
        break;
      }
      all.add(text.substring(at, end));
      at = end;
    }
    return all;
  }

  private static int chunkedEnd(String text, int from) {
    int at = from;
    while (true) {
      int lineEnd = text.indexOf("\r\n", at);
      if (lineEnd < 0) {
        return -1;
      }
      String sizeText = text.substring(at, lineEnd);
      int semicolon = sizeText.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        int end = text.indexOf("\r\n\r\n", lineEnd); // the last chunk, trailers if any, an empty line
        return end < 0 ? -1 : end + 4;
      }
      int next = lineEnd + 2 + size + 2;
      if (next > text.length()) {
        return -1;
      }
      at = next;
    }
  }

  /** The body of one complete response text (chunked coding removed). */
  public static String body(String response) {
    int headEnd = response.indexOf("\r\n\r\n");
    String head = response.substring(0, headEnd).toLowerCase();
    String raw = response.substring(headEnd + 4);
    if (!head.contains("\r\ntransfer-encoding: chunked")) {
      return raw;
    }
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = raw.indexOf("\r\n", at);
      String sizeText = raw.substring(at, lineEnd);
      int semicolon = sizeText.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        return body.toString();
      }
      body.append(raw, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  @Override
  public void close() {
    pacer.shutdownNow();
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
