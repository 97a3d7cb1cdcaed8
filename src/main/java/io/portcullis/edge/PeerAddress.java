package io.portcullis.edge;

import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.portcullis.config.IpLiteral;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;

/**
 * The IP address of a request's connection peer as text (README "Running behind a load
 * balancer"): with {@code server.proxyProtocol}, the PROXY header's source, which Vert.x makes the
 * peer; with a v2 {@code LOCAL} or v1 {@code UNKNOWN} header, a v2 header of the {@code AF_UNIX}
 * family (whose source is a path, not an address), or without the protocol, the socket's peer. IPv4 addresses as the dotted quad; IPv6 addresses in their canonical text (RFC 5952:
 * {@code 2001:db8::9}), where Java and Netty's PROXY v2 decoder give uncompressed groups
 * ({@code 2001:db8:0:0:0:0:0:9}).
 *
 * <p>Hot path: a connection's peer never changes, and Vert.x keeps one address (and its text)
 * per connection. An IPv4 peer's text is taken as it is: no allocation. An IPv6 peer's canonical
 * text is worked out on the connection's first request and kept on its channel, so later requests
 * (and the {@code X-Forwarded-For} the proxy writes for the same request) reuse it.
 */
public final class PeerAddress {

  /** The canonical text of the connection's IPv6 peer, with the text it was made from. */
  private static final AttributeKey<Canonical> CANONICAL = AttributeKey.valueOf(PeerAddress.class, "canonical");

  private PeerAddress() {
  }

  /**
   * The peer address of {@code request}'s connection.
   *
   * @return the address, or null when the connection has no IP peer (a Unix domain socket)
   */
  public static String of(HttpServerRequest request) {
    String host = text(request.remoteAddress());
    HttpConnection connection = request.connection();
    if (host == null && connection != null) {
      host = text(connection.remoteAddress(true)); // a PROXY header naming a Unix socket
    }
    if (host == null || host.indexOf(':') < 0) {
      return host;
    }
    if (!(connection instanceof HttpServerConnection internal)) {
      return IpLiteral.canonical(host);
    }
    Attribute<Canonical> kept = internal.channelHandlerContext().channel().attr(CANONICAL);
    Canonical canonical = kept.get();
    // Keyed by the text itself: a connection's address, and so its text, is made once.
    if (canonical == null || canonical.from != host) {
      canonical = new Canonical(host, IpLiteral.canonical(host));
      kept.set(canonical);
    }
    return canonical.text;
  }

  /**
   * The IP address of {@code peer} as text. A connection's address keeps the text it was made
   * from when that was an IP address: it is taken as it is, where {@code hostAddress()} would
   * format the address again on every call.
   */
  static String text(SocketAddress peer) {
    if (peer == null) {
      return null;
    }
    return peer.hostName() == null && peer.host() != null ? peer.host() : peer.hostAddress();
  }

  private record Canonical(String from, String text) {
  }
}
