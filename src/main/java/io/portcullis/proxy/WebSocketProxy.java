package io.portcullis.proxy;

import io.portcullis.http.GatewayException;
import io.portcullis.http.HopByHop;
import io.portcullis.http.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Proxies a WebSocket opening handshake (RFC 6455 §4) and, when the upstream accepts it, splices
 * the two connections into a {@link WebSocketTunnel}.
 *
 * <p>The handshake is one more upstream call through {@link UpstreamCaller}: deadline budget,
 * retry operator, breaker-aware pick, circuit breaker and the per-attempt headers, plus
 * {@code Upgrade: websocket} and {@code Connection: Upgrade}; the client's
 * {@code Sec-WebSocket-*} headers are end-to-end and go along. Only an upstream {@code 101}
 * upgrades: the client then gets {@code 101} with the upstream's handshake headers
 * ({@code Sec-WebSocket-Accept}, {@code -Protocol}, {@code -Extensions}). Any other answer is
 * relayed as an ordinary response and nothing is upgraded. The breaker and the deadline cover
 * the handshake only: once upgraded the deadline timer is cancelled and the tunnel lives until
 * either side closes it.
 */
public final class WebSocketProxy {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxy.class);
  private static final int SWITCHING_PROTOCOLS = 101;

  private final Vertx vertx;
  private final UpstreamCaller caller;
  private final Forwarding forwarding;
  private final ProxyHandler relay;
  private final Handler<NetSocket> onUpgraded;

  /**
   * A WebSocket proxy.
   *
   * @param relay answers with an upstream's non-101 response
   * @param onUpgraded runs on the client's socket right after the upgrade, before any frame is
   *     read (the server uses it to take its HTTP-only handlers off the connection)
   */
  public WebSocketProxy(Vertx vertx, UpstreamCaller caller, Forwarding forwarding, ProxyHandler relay,
                        Handler<NetSocket> onUpgraded) {
    this.vertx = vertx;
    this.caller = caller;
    this.forwarding = forwarding;
    this.relay = relay;
    this.onUpgraded = onUpgraded;
  }

  /**
   * Proxies the handshake of {@code ctx} (a request {@link WebSocketUpgrade#isRequested} accepts,
   * paused) over {@code route}. Completes when the upstream's answer has been handed over (a
   * tunnel opened, or a response relayed); fails with a {@link GatewayException} when the gateway
   * must answer with an error. {@code onTunnelClosed} runs once an opened tunnel has closed on
   * both sides (never when no tunnel was opened).
   */
  public Future<Void> handle(RequestContext ctx, ProxyRoute route, Handler<Void> onTunnelClosed) {
    ctx.upstream(route.plan().upstreamName());
    HttpServerRequest request = ctx.request();
    OutboundRequest out = new OutboundRequest(HttpMethod.GET, ProxyHandler.upstreamUri(ctx, route),
        forwarding.upstreamHeaders(ctx).upgrading(WebSocketUpgrade.PROTOCOL), RequestBody.UPGRADE,
        request.headers().contains(ProxyHandler.IDEMPOTENCY_KEY));
    Promise<Void> handled = Promise.promise();
    caller.call(ctx, route.plan(), out).onComplete(ar -> {
      if (ar.failed()) {
        handled.fail(UpstreamCaller.toGatewayException(ar.cause(), route.plan(), ctx.deadline()));
        return;
      }
      UpstreamExchange exchange = ar.result();
      if (exchange.response().statusCode() == SWITCHING_PROTOCOLS) {
        upgrade(ctx, exchange, onTunnelClosed);
      } else {
        relay.respond(ctx, exchange);
      }
      handled.complete();
    });
    return handled.future();
  }

  private void upgrade(RequestContext ctx, UpstreamExchange exchange, Handler<Void> onTunnelClosed) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = request.response();
    if (response.closed() || response.headWritten()) {
      exchange.abort(); // the client left, or was answered already (deadline)
      return;
    }
    ctx.endpoint(exchange.endpoint().authority());
    // The handshake is over: from here on neither the deadline nor its timer applies.
    ctx.cancelDeadlineTimer();
    exchange.detachFromDeadline();
    HttpClientResponse upstream = exchange.response();
    response.setStatusCode(SWITCHING_PROTOCOLS);
    HopByHop.copyEndToEnd(upstream.headers(), response.headers(), ProxyHandler.RESPONSE_SKIP);
    response.headers().set(Forwarding.VIA, Forwarding.via(Forwarding.joined(upstream.headers(), Forwarding.VIA_LOWER),
        request.version()));
    response.headers().set(HttpHeaders.UPGRADE, WebSocketUpgrade.PROTOCOL);
    response.headers().set(HttpHeaders.CONNECTION, "Upgrade");
    NetSocket upstreamSocket = upstream.netSocket();
    request.toNetSocket().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("request {}: upgrading the client connection failed: {}", ctx.requestId(), ar.cause().toString());
        exchange.abort();
        request.connection().close();
        onTunnelClosed.handle(null);
        return;
      }
      NetSocket clientSocket = ar.result();
      onUpgraded.handle(clientSocket);
      WebSocketTunnel.splice(clientSocket, upstreamSocket).closed().onComplete(done -> {
        exchange.release();
        onTunnelClosed.handle(null);
      });
    });
  }
}
