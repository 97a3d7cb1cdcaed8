package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.MaxForwards;
import io.portcullis.route.RouteTable;
import io.vertx.core.http.HttpMethod;

/**
 * Finds the first route matching the method and normalized path (README "Configuration
 * reference", {@code routes}) and puts it on the exchange; none is 404 {@code no_route}. An
 * {@code OPTIONS} with {@code Max-Forwards: 0} matches on the path alone (see
 * {@link MaxForwardsStage}): it asks about the route, not to be forwarded.
 */
public final class RouteStage implements Stage {

  private final RouteTable<RouteTarget> routes;

  /** A stage matching against {@code routes} (one snapshot's). */
  public RouteStage(RouteTable<RouteTarget> routes) {
    this.routes = routes;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    String method = exchange.request().method().name();
    RouteTable.Match<RouteTarget> match = routes.find(method, exchange.path());
    if (match == null && exchange.request().method() == HttpMethod.OPTIONS
        && MaxForwards.answerHere(MaxForwards.parse(exchange.request().getHeader(MaxForwards.NAME)))) {
      // OPTIONS with Max-Forwards: 0 asks the gateway about the route's path: the route that
      // serves it answers (with its methods in Allow) even when OPTIONS is not one of them.
      match = routes.find(null, exchange.path());
    }
    if (match == null) {
      return exchange.refuse(new GatewayException(GatewayError.NO_ROUTE,
          "no route matches " + method + " " + exchange.path()));
    }
    exchange.matched(match.entry().name(), match.entry().target(), match.params(), match.entry().methods());
    return Verdict.CONTINUE;
  }
}
