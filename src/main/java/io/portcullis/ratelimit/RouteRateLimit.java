package io.portcullis.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.vertx.core.http.HttpServerRequest;

/**
 * A route's rate limit at the HTTP edge: which key a request has, the route's local
 * {@link RateLimiter}, with {@code scope: "cluster"} its {@link ClusterLimit}, and the refusal: 429
 * {@code rate_limited} with {@code Retry-After} (whole seconds until the key's bucket has a token,
 * at least 1), counted in {@code portcullis_rate_limited_total{route}}.
 *
 * <p>Key {@code "ip"} is the client address the request path works out (README "Running behind a
 * load balancer"): the peer, or the PROXY header's source, and an {@code X-Forwarded-For} entry
 * only where {@code server.trustedProxies} vouches for the hop that wrote it. A client writes that
 * header itself, so believing it blindly would let it pick a fresh bucket for every request.
 * Key {@code "header:NAME"} is that header's value.
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
  private final ClusterLimit cluster;

  /**
   * A limit for {@code route} whose buckets live in this process ({@code scope: "instance"}).
   *
   * @param keyHeader the header whose value is the key, or null for the client address
   * @param refused counted once per refused request
   */
  public RouteRateLimit(String route, RateLimiter limiter, String keyHeader, Counter refused) {
    this(route, limiter, keyHeader, refused, null);
  }

  /**
   * A limit for {@code route}.
   *
   * @param limiter the local buckets: they decide alone, or when {@code cluster} cannot
   * @param keyHeader the header whose value is the key, or null for the client address
   * @param refused counted once per refused request
   * @param cluster the buckets shared in Redis ({@code scope: "cluster"}), or null
   */
  public RouteRateLimit(String route, RateLimiter limiter, String keyHeader, Counter refused, ClusterLimit cluster) {
    this.route = route;
    this.limiter = limiter;
    this.keyHeader = keyHeader;
    this.refused = refused;
    this.cluster = cluster;
  }

  /** Whether the route is limited at all. */
  public boolean limits() {
    return limiter != null;
  }

  /** Whether the key is the client address (else a header's value). */
  public boolean keyedByClientAddress() {
    return keyHeader == null;
  }

  /**
   * The key of {@code request}.
   *
   * @param clientAddress the request's client address (read only when {@link #keyedByClientAddress});
   *     null when the connection has none
   */
  public String key(HttpServerRequest request, String clientAddress) {
    if (keyHeader != null) {
      String value = request.getHeader(keyHeader);
      return value == null ? MISSING_HEADER_KEY : value;
    }
    return clientAddress == null ? UNKNOWN_PEER_KEY : clientAddress;
  }

  /** The buckets shared in Redis ({@code scope: "cluster"}), or null for a process-local limit. */
  public ClusterLimit cluster() {
    return cluster;
  }

  /** Takes a token from {@code key}'s local bucket: null when the request may pass, else its refusal. */
  public GatewayException refusal(String key) {
    return refusalAfter(limiter.acquire(key));
  }

  /**
   * The decision a wait stands for: null for 0 (admitted), else the refusal, counted.
   *
   * @param waitNanos the nanoseconds until the key's bucket has a token again, 0 when admitted
   */
  public GatewayException refusalAfter(long waitNanos) {
    if (waitNanos == 0) {
      return null;
    }
    refused.increment();
    long retryAfter = RateLimiter.retryAfterSeconds(waitNanos);
    return new GatewayException(GatewayError.RATE_LIMITED,
        "rate limit of route " + route + " exceeded; retry after " + retryAfter + " s", retryAfter, null);
  }

  /** The limiter (null for {@link #NONE}). */
  public RateLimiter limiter() {
    return limiter;
  }
}
