package io.portcullis.proxy;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams an upstream response body to the client, as Vert.x's {@code pipe()} does: each chunk is
 * written as it arrives, and the upstream is paused while the client's write queue is full. One
 * difference: when the upstream declared a {@code Content-Length}, the chunk that completes it ends
 * the client response ({@code end(chunk)}) instead of a write followed by an empty end. Over HTTP/2
 * that is one DATA frame carrying END_STREAM instead of two frames (and two flushes); over HTTP/1.1
 * one write instead of two (docs/performance.md, "HTTP/2 and TLS, second pass").
 *
 * <p>The exchange is settled once: released when the upstream body has ended and the client
 * response is ended; aborted when either side fails first, with the client stream reset if its
 * response was not ended, so a truncated body never looks complete.
 */
final class BodyRelay implements Handler<Buffer> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BodyRelay.class);

  private final UpstreamExchange exchange;
  private final HttpClientResponse upstream;
  private final HttpServerResponse response;
  /** Bytes of the declared Content-Length still to come; negative when none was declared. */
  private long remaining;
  private boolean settled;
  private Handler<Void> drain;
  private final Handler<AsyncResult<Void>> written = this::written;

  private BodyRelay(UpstreamExchange exchange, HttpServerResponse response, long contentLength) {
    this.exchange = exchange;
    this.upstream = exchange.response();
    this.response = response;
    this.remaining = contentLength;
  }

  /**
   * Starts relaying {@code exchange}'s (paused) response body to {@code response}, whose head is
   * set; {@code contentLength} is the body's declared length, or negative when it has none.
   */
  static void start(UpstreamExchange exchange, HttpServerResponse response, long contentLength) {
    BodyRelay relay = new BodyRelay(exchange, response, contentLength);
    HttpClientResponse upstream = exchange.response();
    upstream.handler(relay);
    upstream.exceptionHandler(relay::failed);
    upstream.endHandler(relay::upstreamEnded);
    upstream.resume();
  }

  /** A declared {@code Content-Length} value as a number, or -1 when absent or not a number. */
  static long declaredLength(String value) {
    if (value == null || value.isEmpty() || value.length() > 18) {
      return -1;
    }
    long length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      length = length * 10 + (c - '0');
    }
    return length;
  }

  @Override
  public void handle(Buffer chunk) {
    if (settled || response.ended()) {
      return;
    }
    if (remaining > 0) {
      remaining -= chunk.length();
      if (remaining <= 0) {
        response.end(chunk).onComplete(written);
        return;
      }
    }
    response.write(chunk).onComplete(written);
    if (response.writeQueueFull()) {
      upstream.pause();
      if (drain == null) {
        drain = v -> upstream.resume();
      }
      response.drainHandler(drain);
    }
  }

  private void upstreamEnded(Void ignored) {
    if (settled) {
      return;
    }
    if (!response.ended()) {
      response.end().onComplete(written);
    }
    settle();
    exchange.release();
  }

  private void written(AsyncResult<Void> result) {
    if (result.failed()) {
      failed(result.cause());
    }
  }

  private void failed(Throwable cause) {
    if (settled) {
      return;
    }
    settle();
    // Counted as an aborted exchange (metrics, access log); the cause is for debugging only, since a
    // client or backend going away mid-body is routine at an edge.
    LOG.debug("response body relay aborted: {}", cause.toString());
    exchange.abort();
    if (!response.ended()) {
      response.reset();
    }
  }

  private void settle() {
    settled = true;
    upstream.handler(null);
    upstream.exceptionHandler(null);
    upstream.endHandler(null);
  }
}
