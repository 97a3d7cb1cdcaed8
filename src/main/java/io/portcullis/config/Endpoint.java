package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One upstream server, parsed from a URL such as {@code "http://127.0.0.1:9001"}, or one address a
 * configured endpoint's host name resolved to ({@code upstreams.NAME.discovery}).
 *
 * <p>The URL must be absolute {@code http} or {@code https}, with a host, no user info, no path
 * other than {@code "/"}, no query and no fragment. A missing port defaults to 80 for http and
 * 443 for https.
 *
 * @param scheme {@code "http"} or {@code "https"} (lower case)
 * @param host host name or IP address; an IPv6 address is kept without its brackets. For a
 *     discovered endpoint, the address it was resolved to
 * @param port port, 1..65535
 * @param discoveredFrom for a discovered endpoint, the host name it was resolved from (sent as
 *     {@code Host}, and the name TLS checks); empty for an endpoint as configured
 */
public record Endpoint(String scheme, String host, int port, Optional<String> discoveredFrom) {

  /** Checks that no component is null. */
  public Endpoint {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(discoveredFrom, "discoveredFrom");
  }

  /** An endpoint as configured. */
  public Endpoint(String scheme, String host, int port) {
    this(scheme, host, port, Optional.empty());
  }

  // Written out rather than generated: a record's generated equals and hashCode are linked on first
  // use through java.lang.runtime.ObjectMethods, whose method-handle set-up start-up paid for
  // (docs/performance.md "Start-up, third pass").
  @Override
  public boolean equals(Object other) {
    return other instanceof Endpoint that && port == that.port && scheme.equals(that.scheme)
        && host.equals(that.host) && discoveredFrom.equals(that.discoveredFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scheme, host, port, discoveredFrom);
  }

  /**
   * This endpoint's host resolved to {@code address} (an IP literal, kept in its canonical text):
   * same scheme and port, addressed to this endpoint's host.
   */
  public Endpoint resolvedTo(String address) {
    IpLiteral ip = new IpLiteral();
    return new Endpoint(scheme, ip.parse(address) ? ip.format() : address, port, Optional.of(host));
  }

  /** Whether the host is an IP address literal (nothing to resolve). */
  public boolean hostIsIpLiteral() {
    return new IpLiteral().parse(host);
  }

  /**
   * The name requests are addressed to: {@link #discoveredFrom} for a discovered endpoint, else
   * the host. It is the {@code Host} header's name and, over TLS, the SNI name and the name the
   * certificate must hold.
   */
  public String hostName() {
    return discoveredFrom.orElse(host);
  }

  /**
   * The authority {@code host:port}, port always included (IPv6 hosts in brackets), as sent in the
   * {@code Host} header upstream: {@code "127.0.0.1:9001"}.
   */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URL form, port always included: {@code "http://127.0.0.1:9001"} (a discovered endpoint's address). */
  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}
