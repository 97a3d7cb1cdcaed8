package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.HopByHop;
import io.portcullis.http.PathNormalizer;
import io.portcullis.http.RequestFraming;
import io.vertx.core.http.HttpVersion;

/**
 * First stage: the request's framing and path (README "Errors", 400 {@code bad_request}).
 * Ambiguous framing ({@code Content-Length} with {@code Transfer-Encoding}, two lengths, ...) is
 * refused and its connection closed: the next request's boundary cannot be trusted. A path that
 * does not normalize is refused. Otherwise the exchange's path becomes the normalized one, the
 * path every later stage and the upstream see. A {@code Connection} header listing {@code close}
 * among other options closes the connection after the answer, as {@code close} alone does.
 */
public final class HygieneStage implements Stage {

  @Override
  public Verdict apply(Exchange exchange) {
    String framingProblem = RequestFraming.problem(exchange.request());
    if (framingProblem != null) {
      exchange.closeAfterResponse();
      return exchange.refuse(new GatewayException(GatewayError.BAD_REQUEST, framingProblem));
    }
    String path = PathNormalizer.normalize(exchange.path());
    if (path == null) {
      return exchange.refuse(new GatewayException(GatewayError.BAD_REQUEST, "malformed request path"));
    }
    exchange.normalizedPath(path);
    if (exchange.request().version() != HttpVersion.HTTP_2 && HopByHop.asksToClose(exchange.request().headers())) {
      // "Connection: close, X-Foo": Vert.x keeps the connection unless the value is "close" alone.
      exchange.closeAfterResponse();
    }
    return Verdict.CONTINUE;
  }
}
