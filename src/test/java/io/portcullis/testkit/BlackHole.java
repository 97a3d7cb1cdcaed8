package io.portcullis.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback address where a TCP connect neither succeeds nor is refused: a listening socket
 * with a backlog of 1 that never accepts, its accept queue filled by connections of our own, so
 * the kernel drops every further SYN (Linux does, when the accept queue is full). A connect to
 * {@link #port()} hangs until the caller's connect timeout: the "black-holed host" fault without
 * leaving loopback.
 */
public final class BlackHole implements AutoCloseable {

  private final ServerSocket listener;
  private final List<Socket> fillers = new ArrayList<>();

  private BlackHole() throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  /** Opens the listener and fills its accept queue; fails if connects are still answered. */
  public static BlackHole open() throws IOException {
    BlackHole hole = new BlackHole();
    try {
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hole.port()), 300);
          hole.fillers.add(s);
        } catch (SocketTimeoutException e) {
          s.close();
          return hole; // the queue is full: SYNs go unanswered from now on
        }
      }
    } catch (IOException | RuntimeException e) {
      hole.close();
      throw e;
    }
    hole.close();
    throw new AssertionError("connects to a never-accepting listener kept succeeding: no black hole on this kernel");
  }

  /** The port that black-holes connects. */
  public int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    for (Socket s : fillers) {
      s.close();
    }
    listener.close();
  }
}
