package io.portcullis.proxy;

import io.portcullis.resilience.Deadline;
import io.portcullis.upstream.EndpointState;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * A successful attempt: the upstream's response head has arrived and its body is paused,
 * waiting for the consumer. The consumer must call {@link #release()} when the body is done
 * (or {@link #discard()} to drop it), so the endpoint's in-flight count and the deadline's
 * cancel hook are cleared exactly once.
 */
public final class UpstreamExchange {

  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private final EndpointState endpoint;
  private final Deadline.Registration cancelHook;
  private boolean released;

  UpstreamExchange(HttpClientRequest request, HttpClientResponse response, EndpointState endpoint,
                   Deadline.Registration cancelHook) {
    this.request = request;
    this.response = response;
    this.endpoint = endpoint;
    this.cancelHook = cancelHook;
  }

  /** The upstream request (reset it to abort the exchange). */
  public HttpClientRequest request() {
    return request;
  }

  /** The upstream response, paused. */
  public HttpClientResponse response() {
    return response;
  }

  /** The endpoint that answered. */
  public EndpointState endpoint() {
    return endpoint;
  }

  /**
   * Detaches the exchange from the request's deadline: a later cancel no longer resets it (an
   * upgraded connection outlives the deadline). {@link #release()} is still due at its end.
   */
  public void detachFromDeadline() {
    cancelHook.remove();
  }

  /** Ends the exchange's bookkeeping; idempotent. */
  public void release() {
    if (!released) {
      released = true;
      endpoint.release();
      cancelHook.remove();
    }
  }

  /** Drops the response: its body is read and thrown away so the connection can be reused. */
  public void discard() {
    response.handler(null);
    response.exceptionHandler(err -> release());
    response.endHandler(v -> release());
    response.resume();
  }

  /** Aborts the exchange: the upstream stream is reset (the connection closes on HTTP/1.x). */
  public void abort() {
    request.reset();
    release();
  }
}
