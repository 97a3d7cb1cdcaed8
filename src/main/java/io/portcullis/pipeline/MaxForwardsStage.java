package io.portcullis.pipeline;

import io.portcullis.http.MaxForwards;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.util.Set;

/**
 * {@code Max-Forwards} on {@code OPTIONS} (RFC 9110 §7.6.2; README "How a request flows"): the
 * matched route's gateway is the recipient that must answer when the value is 0, so it answers
 * 200 itself, with an {@code Allow} header listing the route's methods and an empty body, and
 * nothing is sent upstream. A value of 1 or more is decremented here, on the request's own
 * headers, and goes upstream as any end-to-end header. Any other method, and a value that is not a
 * number (left as it came), pass untouched. Runs after the route stage (the answer names the
 * route's methods).
 */
public final class MaxForwardsStage implements Stage {

  private static final CharSequence MAX_FORWARDS = HttpHeaders.createOptimized(MaxForwards.NAME);
  private static final CharSequence ALLOW = HttpHeaders.createOptimized("Allow");
  /**
   * What a route without {@code match.methods} allows: every method the gateway forwards
   * ({@code TRACE} and {@code CONNECT} never are).
   */
  static final String ANY_METHOD = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";

  @Override
  public Verdict apply(Exchange exchange) {
    if (exchange.request().method() != HttpMethod.OPTIONS) {
      return Verdict.CONTINUE;
    }
    MultiMap headers = exchange.request().headers();
    String value = headers.get(MAX_FORWARDS);
    if (value == null) {
      return Verdict.CONTINUE;
    }
    long parsed = MaxForwards.parse(value);
    if (MaxForwards.answerHere(parsed)) {
      HttpServerResponse response = exchange.request().response();
      exchange.beforeResponseHead();
      response.setStatusCode(200);
      response.headers().set(ALLOW, allow(exchange.methods()));
      response.headers().set(HttpHeaders.CONTENT_LENGTH, "0");
      response.end();
      return Verdict.HANDLED;
    }
    String forwarded = MaxForwards.forwarded(parsed);
    if (forwarded != null) {
      headers.set(MAX_FORWARDS, forwarded);
    }
    return Verdict.CONTINUE;
  }

  /** The {@code Allow} value of a route matching {@code methods} (empty: any method). */
  static String allow(Set<String> methods) {
    return methods.isEmpty() ? ANY_METHOD : String.join(", ", methods);
  }
}
