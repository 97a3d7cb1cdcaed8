package io.portcullis.lifecycle;

import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's request decoder, except that a message with both {@code Transfer-Encoding: chunked}
 * and {@code Content-Length} keeps both headers instead of silently dropping the length. The
 * request handler then refuses it with 400 and closes the connection, as RFC 9112 §6.3 allows
 * and CONTRACT §4 requires (such a message is a request-smuggling attempt).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Keep Content-Length visible; the connection is refused before any body is used.
  }
}
