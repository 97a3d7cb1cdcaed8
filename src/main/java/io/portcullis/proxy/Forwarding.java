package io.portcullis.proxy;

import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Locale;
import java.util.Set;

/**
 * Builds the headers sent upstream (CONTRACT §4): end-to-end headers of the client request,
 * plus {@code X-Request-Id} and the {@code X-Forwarded-*} family. {@code Host} is set per
 * attempt from the endpoint's authority; {@code X-Attempt-Count} and the deadline header are
 * set per attempt too.
 */
public final class Forwarding {

  /** The request id header. */
  public static final String REQUEST_ID = "X-Request-Id";

  private final Set<String> replaced;

  /** Forwarding rules; {@code deadlineHeader} is the configured deadline header name. */
  public Forwarding(String deadlineHeader) {
    this.replaced = Set.of("host", "x-request-id", "x-attempt-count", "content-length",
        "x-forwarded-proto", "x-forwarded-host", "x-forwarded-for",
        deadlineHeader.toLowerCase(Locale.ROOT));
  }

  /** The headers for the upstream request of {@code ctx}. */
  public MultiMap upstreamHeaders(RequestContext ctx) {
    HttpServerRequest request = ctx.request();
    MultiMap in = request.headers();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copyEndToEnd(in, out, replaced);
    out.set(REQUEST_ID, ctx.requestId());
    String clientAddress = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    String prior = joined(in, "X-Forwarded-For");
    if (clientAddress != null) {
      out.set("X-Forwarded-For", prior == null ? clientAddress : prior + ", " + clientAddress);
    } else if (prior != null) {
      out.set("X-Forwarded-For", prior);
    }
    out.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
    String host = in.get(HttpHeaders.HOST);
    if (host != null) {
      out.set("X-Forwarded-Host", host);
    }
    return out;
  }

  private static String joined(MultiMap headers, String name) {
    java.util.List<String> all = headers.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(", ", all);
  }
}
