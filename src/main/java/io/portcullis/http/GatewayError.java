package io.portcullis.http;

/**
 * The errors the gateway itself answers with, each with its fixed status and code
 * (README "Errors"). An upstream's own response is never turned into one of these.
 */
public enum GatewayError {
  BAD_REQUEST(400, "bad_request"),
  NO_ROUTE(404, "no_route"),
  /** TRACE (and CONNECT) are refused: a gateway must not echo requests back or open tunnels. */
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  PAYLOAD_TOO_LARGE(413, "payload_too_large"),
  URI_TOO_LONG(414, "uri_too_long"),
  /** The route's rate limit refused the request; carries {@code Retry-After}. */
  RATE_LIMITED(429, "rate_limited"),
  HEADERS_TOO_LARGE(431, "headers_too_large"),
  UPSTREAM_UNAVAILABLE(502, "upstream_unavailable"),
  CIRCUIT_OPEN(503, "circuit_open"),
  /**
   * The upstream's concurrency limit is reached, or its connection pool's wait queue is full
   * (README "Overload: concurrency limits"); nothing was sent; carries {@code Retry-After: 1}.
   */
  OVERLOADED(503, "overloaded"),
  DEADLINE_EXCEEDED(504, "deadline_exceeded"),
  /**
   * The request's {@code Via} already holds {@code server.maxHops} entries of this gateway: it has
   * been round a forwarding loop (RFC 5842 §7.2 gives 508 its meaning).
   */
  LOOP_DETECTED(508, "loop_detected"),
  /** A fault inside the gateway itself; logged with its cause. */
  INTERNAL(500, "internal_error");

  private final int status;
  private final String code;
  private final String reasonPhrase;

  GatewayError(int status, String code) {
    this.status = status;
    this.code = code;
    // Netty knows no phrase for 508 and would send "Server Error (508)"; RFC 5842 §7.2 names it.
    this.reasonPhrase = status == 508 ? "Loop Detected"
        : io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
  }

  /** The reason phrase of the status line (HTTP/1.x). */
  public String reasonPhrase() {
    return reasonPhrase;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The machine-readable code placed in the {@code error} field of the body. */
  public String code() {
    return code;
  }
}
