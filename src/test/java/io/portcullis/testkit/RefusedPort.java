package io.portcullis.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where every connect is refused at once, reserved until {@link #close()}: a
 * TCP socket bound to it that never listens (the kernel answers SYNs with RST). Unlike "open a
 * ServerSocket on port 0, close it, use its port", nothing else can bind the port meanwhile;
 * with the closed-probe idiom a gateway started next may be given that very port by the kernel
 * and end up proxying to itself (a loop that ends only when its forwarded headers grow past
 * maxHeaderBytes: a 431 instead of the expected 502).
 */
public final class RefusedPort implements AutoCloseable {

  private final Socket holder;

  private RefusedPort(Socket holder) {
    this.holder = holder;
  }

  /** Reserves a refusing port. */
  public static RefusedPort open() throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new RefusedPort(socket);
  }

  /** The port. */
  public int port() {
    return holder.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    holder.close();
  }
}
