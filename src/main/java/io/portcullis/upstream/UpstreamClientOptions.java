package io.portcullis.upstream;

import io.portcullis.config.Endpoint;
import io.portcullis.config.PoolConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.config.UpstreamTlsConfig;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The Vert.x options of an upstream's HTTP client. The protocol upstream is always HTTP/1.1;
 * {@code https://} endpoints are reached over TLS with the certificate verified against the JVM's
 * trusted authorities, or only {@code tls.trustFile}'s when set, and the endpoint's host checked
 * against the certificate unless {@code tls.verifyHostname} is false. Whether a request uses TLS
 * is decided per request, from its endpoint's scheme.
 *
 * <p>An upstream whose endpoints are all {@code http://} gets a client without TLS options at all:
 * Vert.x hashes a client's TLS options into the connection pool's key on every request, work an
 * upstream that never speaks TLS should not pay ({@code docs/performance.md}).
 */
public final class UpstreamClientOptions {

  private UpstreamClientOptions() {
  }

  /** Options for the proxy and aggregate calls to {@code upstream}. */
  public static HttpClientOptions of(UpstreamConfig upstream) {
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, upstream.connectTimeoutMs()))
        .setKeepAlive(true)
        .setKeepAliveTimeout(60)
        .setPipelining(false)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setMaxHeaderSize(64 * 1024)
        .setName("upstream-" + upstream.name());
    return speaksTls(upstream) ? tls(upstream.tls(), options) : options;
  }

  /** Whether any endpoint of {@code upstream} is {@code https://}. */
  static boolean speaksTls(UpstreamConfig upstream) {
    for (Endpoint endpoint : upstream.endpoints()) {
      if ("https".equals(endpoint.scheme())) {
        return true;
      }
    }
    return false;
  }

  /** The connection pool of an upstream's client (per event loop) with the default {@code pool} settings. */
  public static PoolOptions pool() {
    return pool(PoolConfig.defaults());
  }

  /**
   * The connection pool of {@code upstream}'s client (per event loop): at most
   * {@code pool.maxConnections} HTTP/1.x connections, at most {@code pool.maxPending} requests
   * waiting for one (unbounded without it). A request beyond that fails at once with Vert.x's
   * {@code ConnectionPoolTooBusyException}, which the gateway answers with 503 {@code overloaded}.
   */
  public static PoolOptions pool(UpstreamConfig upstream) {
    return pool(upstream.pool());
  }

  private static PoolOptions pool(PoolConfig pool) {
    return new PoolOptions().setHttp1MaxSize(pool.maxConnections()).setMaxWaitQueueSize(pool.maxPendingOrUnbounded());
  }

  /**
   * Applies {@code tls} to {@code options}: the trust anchors (the {@code trustFile}, or else the
   * JVM's trust store as {@link JvmTrust} read it ahead) and the host name check.
   */
  public static HttpClientOptions tls(UpstreamTlsConfig tls, HttpClientOptions options) {
    options.setUseAlpn(false)
        .setForceSni(true)
        .setVerifyHost(tls.verifyHostname())
        .setTrustAll(false);
    if (tls.trustFile().isPresent()) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustFile().get()));
    } else {
      JvmTrust.options().ifPresent(options::setTrustOptions);
    }
    return options;
  }
}
