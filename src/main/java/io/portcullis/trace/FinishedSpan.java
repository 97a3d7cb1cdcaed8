package io.portcullis.trace;

import io.portcullis.config.Endpoint;

import java.util.Set;

/**
 * One finished span, as handed to a {@link SpanSink}: plain data, no OpenTelemetry type. The
 * exporter turns it into the OpenTelemetry HTTP semantic conventions (README "Tracing").
 *
 * @param traceIdHigh first half of the trace id
 * @param traceIdLow second half of the trace id
 * @param spanId this span's id
 * @param parentSpanId the parent span's id, 0 for a root span
 * @param kind server (the gateway's own span) or client (one upstream attempt)
 * @param startEpochNanos start, nanoseconds since the epoch
 * @param endEpochNanos end, nanoseconds since the epoch
 * @param method the HTTP method
 * @param status the HTTP status answered (server) or received (client); 0 when none was
 * @param error whether the span ended in error (server: a 5xx; client: no response, or a failure status)
 * @param scheme {@code http} or {@code https}: the listener's scheme (server spans), or {@code null}
 * @param authority the request's {@code Host} (server spans), or {@code null} when it had none
 * @param path the request path (server spans), or {@code null}
 * @param httpRoute the matched route's path template, e.g. {@code /api/profile/:id} or
 *     {@code /api/users/*} for a prefix (server spans), or {@code null} when no route matched
 * @param upstream the upstream's name (client spans), or {@code null}
 * @param endpoint the endpoint tried (client spans), or {@code null}
 * @param attempt the attempt number, 1 for the first (client spans); 0 on a server span
 */
public record FinishedSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, Kind kind,
                           long startEpochNanos, long endEpochNanos, String method, int status, boolean error,
                           String scheme, String authority, String path, String httpRoute,
                           String upstream, Endpoint endpoint, int attempt) {

  /** The methods of RFC 9110 §9 and PATCH (RFC 5789): the "known" methods of the HTTP conventions. */
  private static final Set<String> KNOWN_METHODS =
      Set.of("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE");

  /** What the span stands for. */
  public enum Kind {
    /** The gateway handling one client request. */
    SERVER,
    /** One upstream attempt made for it. */
    CLIENT
  }

  /** Whether {@link #method()} is one of the methods the HTTP conventions call known. */
  public boolean knownMethod() {
    return KNOWN_METHODS.contains(method);
  }

  /**
   * The span's name by the HTTP conventions: {@code "GET /api/users/*"} (method and route
   * template) for a server span whose request matched a route, else the method alone; {@code HTTP}
   * in place of a method that is not {@linkplain #knownMethod() known}.
   */
  public String name() {
    String m = knownMethod() ? method : "HTTP";
    return kind == Kind.SERVER && httpRoute != null ? m + " " + httpRoute : m;
  }
}
