package io.portcullis.pipeline;

import io.portcullis.edge.TrustedProxies;
import io.portcullis.health.Readiness;
import io.portcullis.http.ErrorResponses;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.RequestIds;
import io.portcullis.resilience.Deadline;
import io.portcullis.trace.Tracing;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path of one configuration snapshot on one event loop: its {@link Stage}s in order
 * (README "How a request flows"; the order is in {@link RequestPaths#standard}), run for each
 * request in {@link #proceed}, every failure answered in {@link #fail}, every request finished
 * once in {@link #finish}. Built once per snapshot and event loop; confined to that loop.
 */
public final class RequestPath {

  private static final Logger LOG = LoggerFactory.getLogger(RequestPath.class);
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  // HTTP/2 header names are lower case: Vert.x lowers (and copies) any other name on each lookup
  // and set of an HTTP/2 request's or response's headers, so those use this one.
  private static final CharSequence REQUEST_ID_LOWER = HttpHeaders.createOptimized("x-request-id");

  /** Told when a request starts and when it finishes (in-flight counts, metrics, access log). */
  public interface Listener {

    /** {@code exchange} entered the request path. */
    void started(Exchange exchange);

    /**
     * {@code exchange} finished, once, with {@code status} (499 when the client left before its
     * response ended).
     */
    void finished(Exchange exchange, int status);
  }

  private final Stage[] stages;
  private final Readiness readiness;
  private final Tracing tracing;
  private final Listener listener;
  private final TrustedProxies trustedProxies;

  /**
   * A request path running {@code stages} in order, where the peer is the client
   * ({@link TrustedProxies#NONE}).
   *
   * @param readiness tells whether the gateway is draining (every answer then closes its connection)
   * @param tracing starts each request's trace
   */
  public RequestPath(Stage[] stages, Readiness readiness, Tracing tracing, Listener listener) {
    this(stages, readiness, tracing, listener, TrustedProxies.NONE);
  }

  /**
   * A request path running {@code stages} in order.
   *
   * @param readiness tells whether the gateway is draining (every answer then closes its connection)
   * @param tracing starts each request's trace
   * @param trustedProxies {@code server.trustedProxies}, for {@link Exchange#clientAddress()}
   */
  public RequestPath(Stage[] stages, Readiness readiness, Tracing tracing, Listener listener,
                     TrustedProxies trustedProxies) {
    this.stages = stages.clone();
    this.readiness = readiness;
    this.tracing = tracing;
    this.listener = listener;
    this.trustedProxies = trustedProxies;
  }

  /** The proxies whose {@code X-Forwarded-For} entries are believed. */
  TrustedProxies trustedProxies() {
    return trustedProxies;
  }

  /** Takes {@code request} (received at {@code startNanos}) through every stage. */
  public void handle(HttpServerRequest request, long startNanos) {
    HttpServerResponse response = request.response();
    String requestId = RequestIds.keepOrCreate(request.getHeader(REQUEST_ID_LOWER));
    response.headers().set(request.version() == HttpVersion.HTTP_2 ? REQUEST_ID_LOWER : REQUEST_ID, requestId);
    if (readiness.shuttingDown()) {
      // Arrived during the drain: whatever answers it, the connection closes after it.
      closeAfterResponse(request);
    }
    Exchange exchange = new Exchange(this, request, requestId, request.path(), startNanos);
    exchange.trace(tracing.start(request.headers()));
    listener.started(exchange);
    // The exchange is both handlers (no lambda per request): see responseEndedOrClosed.
    response.endHandler(exchange);
    response.closeHandler(exchange);
    proceed(exchange);
  }

  /**
   * The response of {@code exchange} ended, or its connection closed. Closed before the response
   * ended, the client is gone: the deadline is cancelled with that reason. Either way the request
   * finishes (once: a close after the end finds it finished).
   */
  void responseEndedOrClosed(Exchange exchange) {
    if (!exchange.request().response().ended()) {
      Deadline deadline = exchange.deadline();
      if (deadline != null) {
        deadline.cancel(Deadline.CancelReason.CLIENT_GONE);
      }
    }
    finish(exchange);
  }

  /** Runs the stages from the exchange's next one until one stops, refuses or suspends. */
  void proceed(Exchange exchange) {
    Stage[] all = stages;
    while (!exchange.finished()) {
      int index = exchange.advance();
      if (index >= all.length) {
        return;
      }
      Stage.Verdict verdict;
      try {
        verdict = all[index].apply(exchange);
      } catch (RuntimeException e) {
        fail(exchange, e);
        return;
      }
      switch (verdict) {
        case CONTINUE:
          continue;
        case REFUSED:
          fail(exchange, exchange.takeRefusal());
          return;
        case SUSPENDED:
          // The body must not flow (and be lost) while a stage decides.
          exchange.request().pause();
          return;
        default:
          return;
      }
    }
  }

  /** The one place a failed request becomes an error response. */
  void fail(Exchange exchange, Throwable failure) {
    HttpServerResponse response = exchange.request().response();
    GatewayException error;
    if (failure instanceof GatewayException g) {
      error = g;
    } else {
      LOG.error("request {} failed inside the gateway", exchange.requestId(), failure);
      error = new GatewayException(GatewayError.INTERNAL, "internal gateway error");
    }
    if (response.headWritten()) {
      if (!response.ended()) {
        response.reset();
      }
      return;
    }
    HttpServerRequest request = exchange.request();
    boolean bodyUnread = (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || contentLength(request) > 0) && !request.isEnded();
    if (bodyUnread) {
      // The rest of the request body will never be read: the connection cannot be reused.
      closeAfterResponse(request);
    }
    if (!response.closed()) {
      exchange.answeredWith(error.error());
    }
    beforeResponseHead(request);
    ErrorResponses.send(response, error.error(), error.getMessage(), exchange.requestId(), exchange.route(),
        exchange.upstream(), error.retryAfterSeconds());
  }

  /**
   * Just before {@code request}'s response head is written: once the gateway shuts down, the
   * response closes its connection (HTTP/1.x {@code Connection: close}), so a request already in
   * flight when the drain starts is answered that way too.
   */
  void beforeResponseHead(HttpServerRequest request) {
    if (readiness.shuttingDown()) {
      closeAfterResponse(request);
    }
  }

  /**
   * HTTP/1.x: sends {@code Connection: close} and really closes the connection once the response
   * is on the wire (RFC 9112 §9.6); Vert.x itself only looks at the request's keep-alive.
   * HTTP/2: the connection carries other streams and is never closed for one; while draining it
   * gets a graceful {@code GOAWAY} (RFC 9113 §6.8), otherwise nothing (the stream ends alone).
   */
  void closeAfterResponse(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      if (readiness.shuttingDown()) {
        request.connection().goAway(0);
      }
      return;
    }
    HttpServerResponse response = request.response();
    response.headers().set(HttpHeaders.CONNECTION, CLOSE);
    response.bodyEndHandler(v -> request.connection().close());
  }

  /** Finishes {@code exchange} once: releases its holds and timer, then tells the listener. */
  void finish(Exchange exchange) {
    if (!exchange.finish()) {
      return;
    }
    exchange.cancelDeadlineTimer();
    exchange.releaseHolds();
    HttpServerResponse response = exchange.request().response();
    boolean upgraded = response.headWritten() && response.getStatusCode() == 101;
    int status = response.ended() || upgraded ? response.getStatusCode() : 499;
    listener.finished(exchange, status);
  }

  /** The request's {@code Content-Length}, or -1 without a usable one. */
  static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // the decoder has already refused a non-numeric length
    }
  }
}
