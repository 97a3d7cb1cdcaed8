package io.portcullis.proxy;

/**
 * Where a proxied request's end goes when it is forwarded without a future
 * ({@link ProxyHandler#forward}): the request path's exchange, whose one failure path answers a
 * failed request. Called on the request's event loop, once.
 */
public interface ProxyOutcome {

  /** The upstream's response is being streamed to the client. Nothing to do by default. */
  default void handedOver() {
  }

  /**
   * The request failed before a response was handed over: {@code failure} (a
   * {@link io.portcullis.http.GatewayException} for an upstream failure) must become the answer.
   */
  void fail(Throwable failure);
}
