package io.portcullis.config;

import java.util.Objects;

/**
 * A DNS server to ask (an entry of {@code dns.servers}): an IP address and a port, written
 * {@code 127.0.0.1:5353}, {@code [::1]:53}, or without the port for 53.
 *
 * @param address the server's IP address in its shortest form (IPv6 without brackets)
 * @param port its UDP/TCP port, 1..65535; {@value #DEFAULT_PORT} when not written
 */
public record DnsServer(String address, int port) {

  /** The port of a server written without one. */
  public static final int DEFAULT_PORT = 53;

  /** Checks for null. */
  public DnsServer {
    Objects.requireNonNull(address, "address");
  }

  /**
   * The server {@code text} names ({@code IPV4[:PORT]}, {@code [IPV6][:PORT]} or a bare IPv6
   * address), or null if it is not one. Never resolves a name.
   */
  static DnsServer parse(String text) {
    String host;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
      if (host.indexOf(':') < 0) {
        return null; // brackets are for IPv6
      }
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      host = text; // a bare IPv6 address
    } else {
      int colon = text.indexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    IpLiteral address = new IpLiteral();
    if (!address.parse(host)) {
      return null;
    }
    int number = DEFAULT_PORT;
    if (port != null) {
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        return null;
      }
    }
    return new DnsServer(address.format(), number);
  }

  /** {@code address:port}, an IPv6 address in brackets: {@code [::1]:53}. */
  @Override
  public String toString() {
    return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
  }
}
