package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads the body's framing for the dispatch and refuses a declared length over
 * {@code server.maxBodyBytes} (README "Errors", 413 {@code payload_too_large}) before any byte of
 * it is read; the connection is closed after the answer, since the body is not read. A chunked
 * body is counted while it streams, by the proxy.
 */
public final class BodyLimitStage implements Stage {

  private final long maxBodyBytes;

  /** A stage refusing declared bodies over {@code maxBodyBytes}. */
  public BodyLimitStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    HttpServerRequest request = exchange.request();
    long contentLength = RequestPath.contentLength(request);
    exchange.framing(contentLength, request.headers().contains(HttpHeaders.TRANSFER_ENCODING));
    if (contentLength > maxBodyBytes) {
      exchange.closeAfterResponse();
      return exchange.refuse(new GatewayException(GatewayError.PAYLOAD_TOO_LARGE,
          "request body of " + contentLength + " bytes exceeds " + maxBodyBytes));
    }
    return Verdict.CONTINUE;
  }
}
