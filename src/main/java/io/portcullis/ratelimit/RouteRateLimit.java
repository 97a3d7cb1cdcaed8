package io.portcullis.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * A route's rate limit at the HTTP edge: picks the request's key, asks the route's
 * {@link RateLimiter}, and turns a refusal into 429 {@code rate_limited} with {@code Retry-After}
 * (whole seconds until the key's bucket has a token, at least 1), counted in
 * {@code portcullis_rate_limited_total{route}}.
 *
 * <p>Key {@code "ip"} is the address of the TCP peer, never {@code X-Forwarded-For}: that header
 * is written by the client, so a client could pick a fresh bucket for every request. (Envoy's
 * local rate limit keys on the peer address by default for the same reason.) Behind a proxy that
 * hides client addresses, key on a header that proxy sets and overwrites instead.
 */
public final class RouteRateLimit {

  /** No limit: every request passes. */
  public static final RouteRateLimit NONE = new RouteRateLimit(null, null, null, null);

  // No header value can contain NUL (RFC 9110 §5.5), so this key is shared only by requests
  // that lack the header.
  private static final String MISSING_HEADER_KEY = "\0";
  private static final String UNKNOWN_PEER_KEY = "\0peer";

  private final String route;
  private final RateLimiter limiter;
  private final String keyHeader;
  private final Counter refused;

  /**
   * A limit for {@code route}.
   *
   * @param keyHeader the header whose value is the key, or null for the client address
   * @param refused counted once per refused request
   */
  public RouteRateLimit(String route, RateLimiter limiter, String keyHeader, Counter refused) {
    this.route = route;
    this.limiter = limiter;
    this.keyHeader = keyHeader;
    this.refused = refused;
  }

  /** The refusal for {@code request} when its key's bucket is empty, or null when it may pass. */
  public GatewayException refusal(HttpServerRequest request) {
    if (limiter == null) {
      return null;
    }
    long waitNanos = limiter.acquire(key(request));
    if (waitNanos == 0) {
      return null;
    }
    refused.increment();
    long retryAfter = RateLimiter.retryAfterSeconds(waitNanos);
    return new GatewayException(GatewayError.RATE_LIMITED,
        "rate limit of route " + route + " exceeded; retry after " + retryAfter + " s", retryAfter, null);
  }

  private String key(HttpServerRequest request) {
    if (keyHeader != null) {
      String value = request.getHeader(keyHeader);
      return value == null ? MISSING_HEADER_KEY : value;
    }
    SocketAddress peer = request.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    return host == null ? UNKNOWN_PEER_KEY : host;
  }

  /** The limiter (null for {@link #NONE}). */
  public RateLimiter limiter() {
    return limiter;
  }
}
