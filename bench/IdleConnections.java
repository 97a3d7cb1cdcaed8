import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Opens N keep-alive HTTP/1.1 connections to host:port, sends one GET on each, reads its whole
 * response (Content-Length framed), then holds every connection idle for S seconds and reports
 * how many are still open. One thread, non-blocking sockets: N can be tens of thousands.
 *
 * <pre>java bench/IdleConnections.java HOST PORT PATH N HOLD_SECONDS</pre>
 *
 * Prints "READY opened=N answered=A" once every connection was answered (or the attempt ended),
 * then "DONE open=K of N" after the hold. Exit status 0 if every connection was answered and is
 * still open, else 1.
 */
public class IdleConnections {

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: java IdleConnections.java HOST PORT PATH N HOLD_SECONDS");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String path = args[2];
    int n = Integer.parseInt(args[3]);
    long holdMs = Long.parseLong(args[4]) * 1000;
    byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    Selector selector = Selector.open();
    List<SocketChannel> channels = new ArrayList<>(n);
    int answered = 0;
    int failed = 0;
    int pending = 0;
    int next = 0;
    long deadline = System.nanoTime() + 120_000_000_000L;
    // Keep at most 256 handshakes in flight: the listen backlog stays small.
    while ((next < n || pending > 0) && System.nanoTime() < deadline) {
      while (next < n && pending < 256) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(new InetSocketAddress(host, port));
        ch.register(selector, SelectionKey.OP_CONNECT, new Conn(request));
        channels.add(ch);
        next++;
        pending++;
      }
      selector.select(100);
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        SocketChannel ch = (SocketChannel) key.channel();
        Conn c = (Conn) key.attachment();
        try {
          if (key.isConnectable()) {
            ch.finishConnect();
            key.interestOps(SelectionKey.OP_WRITE);
          } else if (key.isWritable()) {
            ch.write(c.out);
            if (!c.out.hasRemaining()) {
              key.interestOps(SelectionKey.OP_READ);
            }
          } else if (key.isReadable()) {
            if (ch.read(c.in) < 0) {
              throw new IOException("closed before the response ended");
            }
            if (c.complete()) {
              key.interestOps(0);
              answered++;
              pending--;
            }
          }
        } catch (IOException e) {
          key.cancel();
          ch.close();
          failed++;
          pending--;
        }
      }
    }
    System.out.println("READY opened=" + n + " answered=" + answered + " failed=" + failed);
    System.out.flush();
    Thread.sleep(holdMs);
    // A connection the server closed reads -1 (EOF) or fails: probe each without blocking.
    int open = 0;
    ByteBuffer probe = ByteBuffer.allocate(1);
    for (SocketChannel ch : channels) {
      if (!ch.isOpen()) {
        continue;
      }
      for (SelectionKey key : selector.keys()) {
        if (key.channel() == ch) {
          key.cancel();
        }
      }
      selector.selectNow();
      ch.configureBlocking(false);
      try {
        probe.clear();
        if (ch.read(probe) == 0) {
          open++;
        }
      } catch (IOException e) {
        // closed by the peer
      }
    }
    System.out.println("DONE open=" + open + " of " + n);
    for (SocketChannel ch : channels) {
      ch.close();
    }
    System.exit(answered == n && open == n ? 0 : 1);
  }

  /** One connection's request bytes and response progress. */
  static final class Conn {
    final ByteBuffer out;
    final ByteBuffer in = ByteBuffer.allocate(16 * 1024);

    Conn(byte[] request) {
      out = ByteBuffer.wrap(request);
    }

    /** Whether the buffered bytes hold a whole response with a Content-Length body. */
    boolean complete() {
      String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return false;
      }
      int length = 0;
      for (String line : text.substring(0, end).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      return in.position() >= end + 4 + length;
    }
  }
}
