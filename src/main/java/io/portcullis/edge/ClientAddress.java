package io.portcullis.edge;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Who the client of a request is (README "Running behind a load balancer"): the connection's peer
 * (with {@code server.proxyProtocol}, the PROXY header's source, which Vert.x makes the peer),
 * walked back through {@code X-Forwarded-For} while the address in hand is one of
 * {@code server.trustedProxies} ({@link TrustedProxies}). This address keys {@code rateLimit}
 * with {@code key: "ip"} and is the access log's {@code clientIp}.
 *
 * <p>IPv6 addresses are given in their canonical text (RFC 5952: {@code ::1}, not Java's
 * {@code 0:0:0:0:0:0:0:1}); IPv4 addresses as the dotted quad Java gives. Cost with no trusted
 * proxies: no allocation (an IPv6 peer's canonical text is kept per connection, see
 * {@link PeerAddress}). Never throws on any header content.
 */
public final class ClientAddress {

  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");

  private ClientAddress() {
  }

  /**
   * The client address of {@code request}.
   *
   * @return the address, or null when the connection has no IP peer (a Unix domain socket)
   */
  public static String of(HttpServerRequest request, TrustedProxies trusted) {
    String host = PeerAddress.of(request);
    if (host == null) {
      return null;
    }
    if (!trusted.isEmpty()) {
      MultiMap headers = request.headers();
      if (headers.contains(X_FORWARDED_FOR) && trusted.isTrusted(host)) {
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        String client = trusted.clientAddress(host, lines);
        if (client != host) {
          return client; // an entry of the header, already in canonical form
        }
      }
    }
    return host;
  }
}
