package io.portcullis.proxy;

import io.portcullis.http.GatewayException;
import io.portcullis.http.HeaderNameSet;
import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.portcullis.route.PathPattern;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

import java.util.Set;

/**
 * The streaming proxy: sends the client request through the upstream call pipeline and pipes
 * the chosen response back with back-pressure. Bodies are never held whole (a request body of
 * at most 64 KiB is buffered for replay). A failure before the response head is written
 * becomes the gateway's JSON error; after it, the client stream is reset so a truncated body
 * never looks complete.
 */
public final class ProxyHandler {

  static final HeaderNameSet RESPONSE_SKIP = HopByHop.skipping(Set.of("x-request-id", "via"));
  /** Looked up in lower case: HTTP/1.x lookups ignore case, HTTP/2 names are lower case. */
  static final CharSequence IDEMPOTENCY_KEY = HttpHeaders.createOptimized("idempotency-key");

  private final UpstreamCaller caller;
  private final Forwarding forwarding;
  private final long maxBodyBytes;

  /** A proxy over {@code caller}. */
  public ProxyHandler(UpstreamCaller caller, Forwarding forwarding, long maxBodyBytes) {
    this.caller = caller;
    this.forwarding = forwarding;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Proxies {@code ctx}'s request over {@code route}. The request must be paused. Completes
   * when the response has been handed over; fails with a {@link GatewayException} when the
   * gateway must answer with an error.
   */
  public Future<Void> handle(RequestContext ctx, ProxyRoute route, long contentLength, boolean chunked) {
    return handle(ctx, route, contentLength, chunked, ExchangeObserver.NONE);
  }

  /**
   * As {@link #handle(RequestContext, ProxyRoute, long, boolean)}, telling {@code observer} of the
   * forwarded response head or of an upstream that did not answer (the request's concurrency
   * permit learns from it).
   */
  public Future<Void> handle(RequestContext ctx, ProxyRoute route, long contentLength, boolean chunked,
                             ExchangeObserver observer) {
    Promise<Void> handled = Promise.promise();
    forward(ctx, route, contentLength, chunked, observer, new ProxyOutcome() {
      @Override
      public void handedOver() {
        handled.complete();
      }

      @Override
      public void fail(Throwable failure) {
        handled.fail(failure);
      }
    });
    return handled.future();
  }

  /**
   * As {@link #handle(RequestContext, ProxyRoute, long, boolean, ExchangeObserver)} without a
   * future (the request path's common case: no promise and listener per request): {@code outcome}
   * is told once the response is handed over, or of the failure the gateway must answer.
   */
  public void forward(RequestContext ctx, ProxyRoute route, long contentLength, boolean chunked,
                      ExchangeObserver observer, ProxyOutcome outcome) {
    ctx.upstream(route.plan().upstreamName());
    HttpServerRequest request = ctx.request();
    String uri = upstreamUri(ctx, route);
    UpstreamHeaders headers = forwarding.upstreamHeaders(ctx);
    boolean idempotencyKey = request.headers().contains(IDEMPOTENCY_KEY);
    Future<UpstreamExchange> exchange;
    if (!chunked && contentLength <= 0) {
      // No body: skip the body stage (the common GET).
      exchange = caller.call(ctx, route.plan(), new OutboundRequest(request.method(), uri, headers,
          RequestBody.NONE, idempotencyKey));
    } else {
      exchange = RequestBody.of(request, contentLength, chunked, maxBodyBytes)
          .compose(body -> caller.call(ctx, route.plan(), new OutboundRequest(request.method(), uri, headers, body,
              idempotencyKey)));
    }
    exchange.onComplete(ar -> {
      if (ar.succeeded()) {
        observer.headReceived(ar.result().response().statusCode());
        respond(ctx, ar.result());
        outcome.handedOver();
      } else {
        if (ar.cause() instanceof AttemptFailure af && af.isDrop()) {
          observer.dropped();
        }
        outcome.fail(UpstreamCaller.toGatewayException(ar.cause(), route.plan(), ctx.deadline()));
      }
    });
  }

  /** The origin-form target sent upstream: the normalized path, prefix stripped, with the query. */
  static String upstreamUri(RequestContext ctx, ProxyRoute route) {
    String path = route.stripPrefix() == null ? ctx.path() : PathPattern.stripPrefix(ctx.path(), route.stripPrefix());
    String query = ctx.request().query();
    return query == null ? path : path + "?" + query;
  }

  /** Streams {@code exchange}'s response to the client (head, then body with back-pressure). */
  void respond(RequestContext ctx, UpstreamExchange exchange) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = request.response();
    HttpClientResponse upstream = exchange.response();
    if (response.closed() || response.ended()) {
      exchange.abort();
      return;
    }
    // Named from the exchange being streamed, so it is the one that answered (the last attempt's).
    ctx.endpoint(exchange.endpoint().authority());
    ctx.beforeResponseHead();
    int status = upstream.statusCode();
    response.setStatusCode(status);
    String message = upstream.statusMessage();
    if (message != null && !message.isEmpty() && !message.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
      // Only a reason phrase of its own: the standard one is what the status code already carries.
      response.setStatusMessage(message);
    }
    HopByHop.copyEndToEnd(upstream.headers(), response.headers(), RESPONSE_SKIP);
    response.headers().set(request.version() == HttpVersion.HTTP_2 ? Forwarding.VIA_LOWER : Forwarding.VIA,
        Forwarding.via(Forwarding.joined(upstream.headers(), Forwarding.VIA_LOWER), request.version()));
    if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH) && mayHaveBody(request.method(), upstream.statusCode())) {
      if (request.version() == HttpVersion.HTTP_1_0) {
        // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
        response.headers().set(HttpHeaders.CONNECTION, "close");
      }
      response.setChunked(true);
    }
    BodyRelay.start(exchange, response, mayHaveBody(request.method(), status)
        ? BodyRelay.declaredLength(upstream.headers().get(HttpHeaders.CONTENT_LENGTH)) : -1);
  }

  private static boolean mayHaveBody(HttpMethod method, int status) {
    return method != HttpMethod.HEAD && status != 204 && status != 304 && status >= 200;
  }
}
