package io.portcullis.trace;

import io.portcullis.config.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The trace of one client request: its trace id, the gateway's own span (a child of the
 * caller's span, or a root), the sampled flag and the {@code tracestate} to forward. Each
 * upstream attempt gets a child span from {@link #attempt}. Confined to the request's event loop.
 */
public final class RequestTrace {

  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized(TraceParent.HEADER);
  private static final CharSequence TRACESTATE = HttpHeaders.createOptimized(TraceState.HEADER);

  private final Tracing tracing;
  private final long traceIdHigh;
  private final long traceIdLow;
  private final long parentId;
  private final long spanId;
  private final boolean sampled;
  private final String traceState;
  private final long startEpochNanos;
  private final String authority;
  private String traceIdHex;

  /** @param authority the request's {@code Host}, kept only when the span is recorded (else null) */
  RequestTrace(Tracing tracing, long traceIdHigh, long traceIdLow, long parentId, long spanId, boolean sampled,
               String traceState, long startEpochNanos, String authority) {
    this.tracing = tracing;
    this.traceIdHigh = traceIdHigh;
    this.traceIdLow = traceIdLow;
    this.parentId = parentId;
    this.spanId = spanId;
    this.sampled = sampled;
    this.traceState = traceState;
    this.startEpochNanos = startEpochNanos;
    this.authority = authority;
  }

  /** The trace id, 32 lower-case hex digits. */
  public String traceId() {
    if (traceIdHex == null) {
      traceIdHex = TraceParent.traceIdHex(traceIdHigh, traceIdLow);
    }
    return traceIdHex;
  }

  /** The upper 64 bits of the trace id (never 0 together with {@link #traceIdLow()}). */
  public long traceIdHigh() {
    return traceIdHigh;
  }

  /** The lower 64 bits of the trace id. */
  public long traceIdLow() {
    return traceIdLow;
  }

  /** The gateway's own span id. */
  public long spanId() {
    return spanId;
  }

  /** The caller's span id, 0 when this request started the trace. */
  public long parentId() {
    return parentId;
  }

  /** Whether the trace is sampled (kept from the caller, or decided for a new trace). */
  public boolean sampled() {
    return sampled;
  }

  /** The {@code tracestate} forwarded upstream, {@code null} when none is. */
  public String traceState() {
    return traceState;
  }

  private boolean recording() {
    return sampled && tracing.sink().recording();
  }

  /** Opens the child span of one upstream attempt, with a new span id. */
  public AttemptSpan attempt(int attemptNumber) {
    return new AttemptSpan(this, tracing.newSpanId(), attemptNumber, recording() ? tracing.now() : 0);
  }

  /**
   * Writes this trace's headers for the attempt {@code span} into {@code headers}: a
   * {@code traceparent} whose parent-id is the attempt's span id, and the {@code tracestate}
   * (or none, replacing what the client sent when its trace context was invalid).
   */
  void writeTo(MultiMap headers, long attemptSpanId) {
    headers.set(TRACEPARENT,
        TraceParent.formatAscii(traceIdHigh, traceIdLow, attemptSpanId, sampled ? TraceParent.SAMPLED : 0));
    if (traceState != null) {
      headers.set(TRACESTATE, traceState);
    } else {
      headers.remove(TRACESTATE);
    }
  }

  /**
   * Ends the gateway's span once the response is done; exported when sampled and export is on.
   *
   * @param method the request's method
   * @param route the matched route's name, or {@code null}; the span carries its path template
   * @param path the request path
   * @param status the status answered (the access log's status)
   */
  public void finish(String method, String route, String path, int status) {
    if (recording()) {
      tracing.sink().accept(new FinishedSpan(traceIdHigh, traceIdLow, spanId, parentId, FinishedSpan.Kind.SERVER,
          startEpochNanos, tracing.now(), method, status, status >= 500, tracing.scheme(), authority, path,
          tracing.httpRoute(route), null, null, 0));
    }
  }

  void finishAttempt(AttemptSpan span, String method, String upstream, Endpoint endpoint, int status, boolean error) {
    if (recording()) {
      tracing.sink().accept(new FinishedSpan(traceIdHigh, traceIdLow, span.spanId(), spanId,
          FinishedSpan.Kind.CLIENT, span.startEpochNanos(), tracing.now(), method, status, error, null, null, null,
          null, upstream, endpoint, span.attemptNumber()));
    }
  }
}
