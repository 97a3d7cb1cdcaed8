package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

/**
 * Methods never forwarded (README "Errors", 405 {@code method_not_allowed}): {@code TRACE} would
 * reflect credentials back (cross-site tracing), {@code CONNECT} would open a tunnel. The 405 says
 * in {@code Allow} which methods the gateway forwards (RFC 9110 §15.5.6).
 */
public final class MethodStage implements Stage {

  private static final CharSequence ALLOW = HttpHeaders.createOptimized("Allow");
  private static final CharSequence FORWARDED = HttpHeaders.createOptimized(MaxForwardsStage.ANY_METHOD);

  @Override
  public Verdict apply(Exchange exchange) {
    HttpMethod method = exchange.request().method();
    if (method == HttpMethod.TRACE || method == HttpMethod.CONNECT) {
      exchange.request().response().headers().set(ALLOW, FORWARDED);
      return exchange.refuse(new GatewayException(GatewayError.METHOD_NOT_ALLOWED, method.name() + " is not allowed"));
    }
    return Verdict.CONTINUE;
  }
}
