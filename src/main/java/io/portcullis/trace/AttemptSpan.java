package io.portcullis.trace;

import io.portcullis.config.Endpoint;
import io.vertx.core.MultiMap;

/**
 * The child span of one upstream attempt: its id is the parent-id of the {@code traceparent}
 * sent on that attempt. Ends once with the attempt's outcome.
 */
public final class AttemptSpan {

  private final RequestTrace trace;
  private final long spanId;
  private final int attemptNumber;
  private final long startEpochNanos;
  private boolean ended;

  AttemptSpan(RequestTrace trace, long spanId, int attemptNumber, long startEpochNanos) {
    this.trace = trace;
    this.spanId = spanId;
    this.attemptNumber = attemptNumber;
    this.startEpochNanos = startEpochNanos;
  }

  /** This attempt's span id. */
  public long spanId() {
    return spanId;
  }

  /** The attempt number, 1 for the first. */
  public int attemptNumber() {
    return attemptNumber;
  }

  long startEpochNanos() {
    return startEpochNanos;
  }

  /** Sets {@code traceparent} (and {@code tracestate}, or removes it) on the attempt's request headers. */
  public void writeTo(MultiMap headers) {
    trace.writeTo(headers, spanId);
  }

  /**
   * Ends the span (the first call only).
   *
   * @param method the method sent upstream
   * @param route the route the attempt serves; not part of the client span (the route template
   *     is an attribute of the gateway's server span)
   * @param upstream the upstream's name
   * @param endpoint the endpoint tried
   * @param status the response status, 0 when none came
   * @param error whether the attempt failed (no response, or a status counted as a failure)
   */
  public void end(String method, String route, String upstream, Endpoint endpoint, int status, boolean error) {
    if (ended) {
      return;
    }
    ended = true;
    trace.finishAttempt(this, method, upstream, endpoint, status, error);
  }
}
