package io.portcullis.trace;

/**
 * One finished span, as handed to a {@link SpanSink}: plain data, no OpenTelemetry type.
 *
 * @param traceIdHigh first half of the trace id
 * @param traceIdLow second half of the trace id
 * @param spanId this span's id
 * @param parentSpanId the parent span's id, 0 for a root span
 * @param kind server (the gateway's own span) or client (one upstream attempt)
 * @param startEpochNanos start, nanoseconds since the epoch
 * @param endEpochNanos end, nanoseconds since the epoch
 * @param method the HTTP method
 * @param route the matched route's name, or {@code null}
 * @param status the HTTP status answered (server) or received (client); 0 when none was
 * @param upstream the upstream's name (client spans), or {@code null}
 * @param endpoint the endpoint URL (client spans), or {@code null}
 * @param attempt the attempt number, 1 for the first (client spans); 0 on a server span
 * @param error whether the span ended in error (server: a 5xx; client: no response, or a failure status)
 */
public record FinishedSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, Kind kind,
                           long startEpochNanos, long endEpochNanos, String method, String route, int status,
                           String upstream, String endpoint, int attempt, boolean error) {

  /** What the span stands for. */
  public enum Kind {
    /** The gateway handling one client request. */
    SERVER,
    /** One upstream attempt made for it. */
    CLIENT
  }

  /** The span's name: {@code "GET route"} for the server span, {@code "GET upstream"} for an attempt. */
  public String name() {
    String target = kind == Kind.SERVER ? route : upstream;
    return target == null ? method : method + " " + target;
  }
}
