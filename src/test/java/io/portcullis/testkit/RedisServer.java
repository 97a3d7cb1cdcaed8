package io.portcullis.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis for tests: Debian's {@code redis-server}, started on a free loopback port in a temp
 * directory of its own, without persistence ({@code --save '' --appendonly no}), ready once it
 * answers {@code PING}. It can be killed ({@code SIGKILL}: an outage), restarted on the same port,
 * and paused ({@code CLIENT PAUSE ... ALL}: a stall). Stopped by its PID on {@link #close()}.
 *
 * <p>{@link #command} talks RESP on a socket of its own, so a test can read or change the data
 * without a Redis client.
 */
public final class RedisServer implements AutoCloseable {

  /** The server binary, found on the {@code PATH} ({@code apt-get install redis-server}). */
  public static final String BINARY = "redis-server";
  private static final long READY_TIMEOUT_MS = 15_000;

  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server on a free port; fails the test if none starts within 15 s. */
  public static RedisServer start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("portcullis-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AssertionError last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RedisServer server = new RedisServer(dir, freePort());
      try {
        server.launch();
        return server;
      } catch (AssertionError e) {
        last = e; // most likely the port was taken between probing and binding: try another
        server.stopProcess();
      }
    }
    throw last;
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** The Vert.x connection string, {@code redis://127.0.0.1:PORT}. */
  public String endpoint() {
    return "redis://127.0.0.1:" + port;
  }

  /** The running server's PID. */
  public long pid() {
    return process.pid();
  }

  /** Kills the server with {@code SIGKILL} and waits for it to be gone: clients see their connections reset. */
  public void kill() {
    stopProcess();
  }

  /** Starts the server again on the same port (after {@link #kill}), empty, and waits until it answers. */
  public void restart() {
    stopProcess();
    launch();
  }

  /** Stops answering every client's commands for {@code ms} ({@code CLIENT PAUSE ms ALL}); returns at once. */
  public void pause(long ms) {
    String reply = command("CLIENT", "PAUSE", Long.toString(ms), "ALL");
    if (!reply.equals("OK")) {
      throw new AssertionError("CLIENT PAUSE answered " + reply);
    }
  }

  /**
   * Sends one command on a connection of its own and returns the reply: a simple string or integer
   * as text, a bulk string's content, {@code "(nil)"}, or an error as {@code "-ERR ..."}.
   */
  public String command(String... args) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(encode(args));
      out.flush();
      return readReply(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("redis command " + String.join(" ", args), e);
    }
  }

  @Override
  public void close() {
    stopProcess();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }

  private void launch() {
    List<String> argv = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
        "--logfile", dir.resolve("redis.log").toString()));
    try {
      process = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.out").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + BINARY + " (install it: apt-get install redis-server)", e);
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new AssertionError("redis-server exited with " + process.exitValue() + ": " + log());
      }
      try {
        // Ours, not a server someone else started on the port meanwhile (ours then fails to bind
        // and exits, and start() tries another port).
        if (command("PING").equals("PONG") && command("INFO", "server").contains("process_id:" + process.pid() + "\r\n")) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      sleep(20);
    }
    throw new AssertionError("redis-server did not answer PING within " + READY_TIMEOUT_MS + " ms: " + log());
  }

  private void stopProcess() {
    Process p = process;
    if (p == null) {
      return;
    }
    process = null;
    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("redis-server " + p.pid() + " did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private String log() {
    try {
      Path file = dir.resolve("redis.log");
      return Files.exists(file) ? Files.readString(file) : Files.readString(dir.resolve("redis.out"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] encode(String... args) {
    StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String readReply(InputStream in) throws IOException {
    String line = readLine(in);
    if (line.isEmpty()) {
      throw new IOException("empty reply");
    }
    switch (line.charAt(0)) {
      case '+', ':' -> {
        return line.substring(1);
      }
      case '-' -> {
        return line;
      }
      case '$' -> {
        int length = Integer.parseInt(line.substring(1));
        if (length < 0) {
          return "(nil)";
        }
        byte[] data = in.readNBytes(length + 2);
        return new String(data, 0, length, StandardCharsets.UTF_8);
      }
      case '*' -> {
        // An array: its elements, each read as a reply, space-separated (e.g. SCRIPT EXISTS).
        int count = Integer.parseInt(line.substring(1));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < count; i++) {
          all.append(i == 0 ? "" : " ").append(readReply(in));
        }
        return all.toString();
      }
      default -> throw new IOException("unexpected reply " + line);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      previous = b;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
