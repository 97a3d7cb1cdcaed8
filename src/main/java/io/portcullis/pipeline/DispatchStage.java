package io.portcullis.pipeline;

import io.portcullis.aggregate.AggregateRoute;
import io.portcullis.proxy.ProxyRoute;
import io.portcullis.proxy.WebSocketUpgrade;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Last stage: hands the request to the proxy, the WebSocket proxy or the aggregate handler of its
 * route. The body is paused until the handler reads it; {@code Expect: 100-continue} is answered
 * here (RFC 9110 §10.1.1), so it is not forwarded. A handler's failure ends in the request path's
 * one failure path.
 */
public final class DispatchStage implements Stage {

  /** The handlers of one snapshot on one event loop (over that loop's connection pools). */
  public interface Dispatcher {

    /**
     * Proxies the request over {@code route}; the request is paused. A failure is answered through
     * {@link Exchange#fail} (no future: this is every proxied request's path).
     */
    void proxy(Exchange exchange, ProxyRoute route);

    /** Proxies a WebSocket handshake; {@code onTunnelClosed} runs when the tunnel ends. */
    Future<Void> webSocket(Exchange exchange, ProxyRoute route, Handler<Void> onTunnelClosed);

    /** Fans the request out over {@code route}'s backends. */
    Future<Void> aggregate(Exchange exchange, AggregateRoute route);
  }

  private final Dispatcher dispatcher;

  /** A stage dispatching to {@code dispatcher}. */
  public DispatchStage(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    HttpServerRequest request = exchange.request();
    request.pause();
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      // The gateway will read the body: let the client send it.
      request.response().writeContinue();
    }
    RouteTarget target = exchange.target();
    Future<Void> handled;
    if (target instanceof RouteTarget.Proxy p && p.route().websocket() && WebSocketUpgrade.isRequested(request)) {
      // The tunnel's end finishes the request (its generation's clients stay until then).
      handled = dispatcher.webSocket(exchange, p.route(), v -> exchange.finishNow());
    } else if (target instanceof RouteTarget.Proxy p) {
      dispatcher.proxy(exchange, p.route());
      return Verdict.HANDLED;
    } else {
      handled = dispatcher.aggregate(exchange, ((RouteTarget.Aggregate) target).route());
    }
    handled.onFailure(exchange::fail);
    return Verdict.HANDLED;
  }
}
