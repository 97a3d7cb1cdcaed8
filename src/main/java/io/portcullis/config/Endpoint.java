package io.portcullis.config;

import java.util.Objects;

/**
 * One upstream server, parsed from a URL such as {@code "http://127.0.0.1:9001"}.
 *
 * <p>The URL must be absolute {@code http} or {@code https}, with a host, no user info, no path
 * other than {@code "/"}, no query and no fragment. A missing port defaults to 80 for http and
 * 443 for https.
 *
 * @param scheme {@code "http"} or {@code "https"} (lower case)
 * @param host host name or IP address; an IPv6 address is kept without its brackets
 * @param port port, 1..65535
 */
public record Endpoint(String scheme, String host, int port) {

  /** Checks that no component is null. */
  public Endpoint {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
  }

  /**
   * The authority {@code host:port}, port always included (IPv6 hosts in brackets), as sent in the
   * {@code Host} header upstream: {@code "127.0.0.1:9001"}.
   */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URL form, port always included: {@code "http://127.0.0.1:9001"}. */
  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}
