package io.portcullis.proxy;

import io.portcullis.config.IpLiteral;
import io.portcullis.http.HeaderNameSet;
import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Set;

/**
 * Builds the headers sent upstream (README "How a request flows"): end-to-end headers of the client request,
 * plus {@code X-Request-Id} and the {@code X-Forwarded-*} family. {@code Host} is set per
 * attempt from the endpoint's authority; {@code X-Attempt-Count} and the deadline header are
 * set per attempt too.
 */
public final class Forwarding {

  /** The request id header. */
  public static final String REQUEST_ID = "X-Request-Id";

  private final HeaderNameSet skip;

  /** Forwarding rules; {@code deadlineHeader} is the configured deadline header name. */
  public Forwarding(String deadlineHeader) {
    this.skip = HopByHop.skipping(Set.of("host", "x-request-id", "x-attempt-count", "content-length",
        "x-forwarded-proto", "x-forwarded-host", "x-forwarded-for", "expect", "via", deadlineHeader));
  }

  /** The headers for the upstream requests of {@code ctx}. */
  public UpstreamHeaders upstreamHeaders(RequestContext ctx) {
    HttpServerRequest request = ctx.request();
    MultiMap in = request.headers();
    String clientAddress = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (clientAddress != null && clientAddress.indexOf(':') >= 0) {
      clientAddress = IpLiteral.canonical(clientAddress); // IPv6 as RFC 5952 writes it, not Java's long form
    }
    String prior = joined(in, "X-Forwarded-For");
    String forwardedFor = clientAddress == null ? prior
        : prior == null ? clientAddress : prior + ", " + clientAddress;
    String via = joined(in, "Via");
    return new UpstreamHeaders(in, skip, ctx.requestId(), forwardedFor,
        request.isSSL() ? "https" : "http", host(request), via(via, request.version()));
  }

  /** {@code Host}, or on HTTP/2 (which has none) the {@code :authority} (RFC 9113 §8.3.1). */
  private static String host(HttpServerRequest request) {
    String host = request.headers().get(HttpHeaders.HOST);
    if (host == null && request.authority() != null) {
      return request.authority().toString();
    }
    return host;
  }

  /** The gateway's own {@code Via} entry (RFC 9110 §7.6.3). */
  public static final String VIA_NAME = "portcullis";

  /** {@code prior} with this hop appended for a message received as {@code version}. */
  public static String via(String prior, io.vertx.core.http.HttpVersion version) {
    String hop = (version == io.vertx.core.http.HttpVersion.HTTP_1_0 ? "1.0 "
        : version == io.vertx.core.http.HttpVersion.HTTP_2 ? "2 " : "1.1 ") + VIA_NAME;
    return prior == null || prior.isEmpty() ? hop : prior + ", " + hop;
  }

  private static String joined(MultiMap headers, String name) {
    if (!headers.contains(name)) {
      return null;
    }
    List<String> all = headers.getAll(name);
    return all.size() == 1 ? all.get(0) : String.join(", ", all);
  }
}
