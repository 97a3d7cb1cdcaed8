package io.portcullis.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Writes exact request bytes on a raw socket and reads what comes back, to test framing rules
 * a normal client would never break.
 */
public final class RawHttp {

  /** What came back: the bytes read, and whether the server closed the connection. */
  public record Reply(String text, boolean closed) {
    /** The status line. */
    public String statusLine() {
      int end = text.indexOf("\r\n");
      return end < 0 ? text : text.substring(0, end);
    }

    /** The status code, or -1 when nothing came back. */
    public int status() {
      String[] parts = statusLine().split(" ");
      return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }
  }

  private RawHttp() {
  }

  /**
   * Sends {@code request} to {@code port} and reads until the server closes or
   * {@code readTimeoutMs} passes without data.
   */
  public static Reply exchange(int port, String request, int readTimeoutMs) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), readTimeoutMs);
  }

  /** Byte version of {@link #exchange(int, String, int)}. */
  public static Reply exchange(int port, byte[] request, int readTimeoutMs) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return exchange(socket, request, readTimeoutMs);
    }
  }

  /**
   * Sends {@code request} on a connected {@code socket} (plain or TLS) and reads until the server
   * closes or {@code readTimeoutMs} passes without data. The caller closes the socket.
   */
  public static Reply exchange(Socket socket, byte[] request, int readTimeoutMs) throws IOException {
    socket.setSoTimeout(readTimeoutMs);
    OutputStream out = socket.getOutputStream();
    out.write(request);
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    boolean closed = false;
    try {
      while (true) {
        int n = in.read(chunk);
        if (n < 0) {
          closed = true;
          break;
        }
        buf.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (java.net.SocketException e) {
      closed = true; // reset by the server counts as closed
    }
    return new Reply(buf.toString(StandardCharsets.ISO_8859_1), closed);
  }
}
