package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Reads the body's framing for the dispatch and refuses a declared length over
 * {@code server.maxBodyBytes} (README "Errors", 413 {@code payload_too_large}) before any byte of
 * it is read; the connection is closed after the answer, since the body is not read. A body of
 * unknown length (chunked, or over HTTP/2 without {@code Content-Length}) is counted as it is
 * read, by the proxy.
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
    exchange.framing(contentLength, request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || contentLength < 0 && request.version() == HttpVersion.HTTP_2 && mayCarryBody(request.method()));
    if (contentLength > maxBodyBytes) {
      exchange.closeAfterResponse();
      return exchange.refuse(new GatewayException(GatewayError.PAYLOAD_TOO_LARGE,
          "request body of " + contentLength + " bytes exceeds " + maxBodyBytes));
    }
    return Verdict.CONTINUE;
  }

  /**
   * Whether a request of {@code method} without {@code Content-Length} is read as a body of unknown
   * length over HTTP/2, where no header says whether a body follows (its DATA frames end the
   * stream). GET, HEAD, DELETE, OPTIONS, TRACE and CONNECT are taken to have none.
   */
  static boolean mayCarryBody(HttpMethod method) {
    return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.DELETE
        && method != HttpMethod.OPTIONS && method != HttpMethod.TRACE && method != HttpMethod.CONNECT;
  }
}
