package io.portcullis.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A server on a real socket that reads Redis commands (RESP arrays of bulk strings) and answers
 * each with whatever bytes a test chooses: errors, answers of the wrong type, bytes that are not
 * RESP at all, or nothing. The handshake a Vert.x client starts with is answered as an old server
 * would ({@code HELLO} is unknown, {@code PING} gets {@code PONG}) unless the test's function
 * answers it first.
 */
public final class FakeRedis implements AutoCloseable {

  /** No answer: the server stays silent (the command is read and ignored). */
  public static final String SILENCE = "";

  private final NetServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger commands = new AtomicInteger();

  private FakeRedis(NetServer server) {
    this.server = server;
  }

  /**
   * Starts a fake on {@code 127.0.0.1}, port 0.
   *
   * @param answer the raw reply to each command (its arguments, command name first), or
   *     {@link #SILENCE}; null for the default handshake answers
   */
  public static FakeRedis start(Vertx vertx, Function<List<String>, String> answer) {
    FakeRedis[] self = new FakeRedis[1];
    NetServer server = vertx.createNetServer();
    server.connectHandler(socket -> self[0].serve(socket, answer));
    self[0] = new FakeRedis(server);
    Await.result(server.listen(0, "127.0.0.1"));
    return self[0];
  }

  /** The Vert.x connection string. */
  public String endpoint() {
    return "redis://127.0.0.1:" + server.actualPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Commands read so far. */
  public int commands() {
    return commands.get();
  }

  private void serve(NetSocket socket, Function<List<String>, String> answer) {
    connections.incrementAndGet();
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(data -> {
      Buffer buf = pending[0].appendBuffer(data);
      int at = 0;
      while (true) {
        int[] end = {0};
        List<String> command = parse(buf, at, end);
        if (command == null) {
          break;
        }
        at = end[0];
        commands.incrementAndGet();
        String reply = answer.apply(command);
        if (reply == null) {
          reply = handshake(command);
        }
        if (!reply.isEmpty()) {
          socket.write(Buffer.buffer(reply.getBytes(StandardCharsets.ISO_8859_1)));
        }
      }
      pending[0] = buf.getBuffer(at, buf.length());
    });
  }

  private static String handshake(List<String> command) {
    return switch (command.get(0).toUpperCase()) {
      case "PING" -> "+PONG\r\n";
      case "HELLO" -> "-ERR unknown command 'HELLO'\r\n";
      default -> "-ERR unknown command '" + command.get(0) + "'\r\n";
    };
  }

  /** The command starting at {@code from}, or null if incomplete; {@code end[0]} gets its end. */
  private static List<String> parse(Buffer buf, int from, int[] end) {
    int[] pos = {from};
    String head = line(buf, pos);
    if (head == null) {
      return null;
    }
    if (head.isEmpty() || head.charAt(0) != '*') {
      throw new IllegalStateException("not a RESP array: " + head);
    }
    int count = Integer.parseInt(head.substring(1));
    List<String> args = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String size = line(buf, pos);
      if (size == null) {
        return null;
      }
      int length = Integer.parseInt(size.substring(1));
      if (pos[0] + length + 2 > buf.length()) {
        return null;
      }
      args.add(buf.getString(pos[0], pos[0] + length, "UTF-8"));
      pos[0] += length + 2;
    }
    end[0] = pos[0];
    return args;
  }

  private static String line(Buffer buf, int[] pos) {
    for (int i = pos[0]; i + 1 < buf.length(); i++) {
      if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n') {
        String text = buf.getString(pos[0], i, "ISO-8859-1");
        pos[0] = i + 2;
        return text;
      }
    }
    return null;
  }

  @Override
  public void close() {
    Await.result(server.close());
  }
}
