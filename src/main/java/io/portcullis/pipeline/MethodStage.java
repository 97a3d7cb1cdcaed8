package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpMethod;

/**
 * Methods never forwarded (README "Errors", 405 {@code method_not_allowed}): {@code TRACE} would
 * reflect credentials back (cross-site tracing), {@code CONNECT} would open a tunnel.
 */
public final class MethodStage implements Stage {

  @Override
  public Verdict apply(Exchange exchange) {
    HttpMethod method = exchange.request().method();
    if (method == HttpMethod.TRACE || method == HttpMethod.CONNECT) {
      return exchange.refuse(new GatewayException(GatewayError.METHOD_NOT_ALLOWED, method.name() + " is not allowed"));
    }
    return Verdict.CONTINUE;
  }
}
