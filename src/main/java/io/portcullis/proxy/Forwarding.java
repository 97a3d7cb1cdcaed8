package io.portcullis.proxy;

import io.portcullis.edge.PeerAddress;
import io.portcullis.http.HeaderNameSet;
import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

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

  // Header names the gateway writes on every request and response, made once: their hash is kept
  // and Vert.x turns them into strings only once.
  static final CharSequence REQUEST_ID_NAME = HttpHeaders.createOptimized(REQUEST_ID);
  static final CharSequence FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  static final CharSequence FORWARDED_PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
  static final CharSequence FORWARDED_HOST = HttpHeaders.createOptimized("X-Forwarded-Host");
  static final CharSequence VIA = HttpHeaders.createOptimized("Via");
  // For lookups, and for HTTP/2 headers: HTTP/1.x lookups ignore case, HTTP/2 names are lower case
  // (Vert.x lowers and copies any other name on each HTTP/2 lookup).
  static final CharSequence FORWARDED_FOR_LOWER = HttpHeaders.createOptimized("x-forwarded-for");
  static final CharSequence VIA_LOWER = HttpHeaders.createOptimized("via");

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
    // IPv6 as RFC 5952 writes it, not Java's long form; worked out once per connection.
    String clientAddress = PeerAddress.of(request);
    String prior = joined(in, FORWARDED_FOR_LOWER);
    if (prior != null && prior.isBlank()) {
      prior = null; // an empty X-Forwarded-For: no list to append to, not an empty element
    }
    String forwardedFor = clientAddress == null ? prior
        : prior == null ? clientAddress : prior + ", " + clientAddress;
    String via = joined(in, VIA_LOWER);
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

  private static final String VIA_11 = "1.1 " + VIA_NAME;
  private static final String VIA_2 = "2 " + VIA_NAME;

  /**
   * {@code prior} with the gateway's entry appended, for a client connection speaking
   * {@code clientVersion}. The entry is {@code 2 portcullis} for an HTTP/2 client and
   * {@code 1.1 portcullis} for any HTTP/1.x one (CONTRACT §8.6), in both directions: the
   * response to an HTTP/2 client says {@code 2} although the upstream answered in HTTP/1.1, and
   * an HTTP/1.0 client or upstream still gets {@code 1.1}.
   */
  public static String via(String prior, HttpVersion clientVersion) {
    String hop = clientVersion == HttpVersion.HTTP_2 ? VIA_2 : VIA_11;
    return prior == null || prior.isEmpty() ? hop : prior + ", " + hop;
  }

  /** Every value of {@code name} in {@code headers} joined with {@code ", "}; null when there is none. */
  static String joined(MultiMap headers, CharSequence name) {
    if (!headers.contains(name)) {
      return null;
    }
    List<String> all = headers.getAll(name);
    return all.size() == 1 ? all.get(0) : String.join(", ", all);
  }
}
