package io.portcullis.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The main listener (JSON object {@code server}).
 *
 * @param host address to bind; default {@code "0.0.0.0"}
 * @param port port to bind, 0..65535 ({@code 0} picks a free port); default {@code 8080}
 * @param instances event-loop verticle instances, >= 0; {@code 0} means one per core; default
 *     {@code 0}
 * @param maxHeaderBytes largest accepted request head (request line and headers), >= 1024; larger
 *     heads get 431; default {@code 8192}
 * @param maxBodyBytes largest accepted request body, >= 0; larger bodies get 413; default
 *     {@code 10485760} (10 MiB)
 * @param idleTimeoutMs close a client connection idle this long, >= 0; {@code 0} means never;
 *     default {@code 60000}
 * @param tls HTTPS on this listener; empty (the default) means cleartext HTTP
 * @param http2 whether HTTP/2 is offered by ALPN when {@code tls} is set; default {@code true}
 * @param h2c whether cleartext HTTP/2 with prior knowledge is accepted when {@code tls} is not
 *     set; default {@code false}
 * @param maxConcurrentStreams the most concurrent streams one HTTP/2 connection may open, >= 1;
 *     default {@code 100}
 * @param proxyProtocol whether every main-port connection must start with a PROXY protocol header
 *     (v1 or v2) whose source address becomes the connection's peer; default {@code false}
 * @param trustedProxies the peers whose {@code X-Forwarded-For} entries are believed, walking
 *     from the right; unmodifiable; default empty: the peer is the client
 * @param maxHops a request whose {@code Via} already holds this many {@code portcullis} entries
 *     is a loop (508), >= 1; default {@code 10}
 */
public record ServerConfig(
    String host,
    int port,
    int instances,
    int maxHeaderBytes,
    long maxBodyBytes,
    long idleTimeoutMs,
    Optional<TlsConfig> tls,
    boolean http2,
    boolean h2c,
    int maxConcurrentStreams,
    boolean proxyProtocol,
    List<CidrBlock> trustedProxies,
    int maxHops) {

  /** Default {@link #host()}. */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** Default {@link #port()}. */
  public static final int DEFAULT_PORT = 8080;
  /** Default {@link #instances()}: one per core. */
  public static final int DEFAULT_INSTANCES = 0;
  /** Default {@link #maxHeaderBytes()}. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 8192;
  /** Default {@link #maxBodyBytes()}: 10 MiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 10_485_760L;
  /** Default {@link #idleTimeoutMs()}. */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000L;
  /** Default {@link #http2()}. */
  public static final boolean DEFAULT_HTTP2 = true;
  /** Default {@link #h2c()}. */
  public static final boolean DEFAULT_H2C = false;
  /** Default {@link #maxConcurrentStreams()}. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  /** Default {@link #proxyProtocol()}. */
  public static final boolean DEFAULT_PROXY_PROTOCOL = false;
  /** Default {@link #maxHops()}. */
  public static final int DEFAULT_MAX_HOPS = 10;

  /** Checks that no component is null and copies {@code trustedProxies} into an unmodifiable list. */
  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** The listener settings the earlier ones give, without PROXY protocol or trusted proxies. */
  public ServerConfig(String host, int port, int instances, int maxHeaderBytes, long maxBodyBytes,
      long idleTimeoutMs, Optional<TlsConfig> tls, boolean http2, boolean h2c, int maxConcurrentStreams) {
    this(host, port, instances, maxHeaderBytes, maxBodyBytes, idleTimeoutMs, tls, http2, h2c, maxConcurrentStreams,
        DEFAULT_PROXY_PROTOCOL, List.of(), DEFAULT_MAX_HOPS);
  }

  /** The listener settings the earlier ones give, with the defaults for the rest. */
  public ServerConfig(
      String host, int port, int instances, int maxHeaderBytes, long maxBodyBytes, long idleTimeoutMs) {
    this(host, port, instances, maxHeaderBytes, maxBodyBytes, idleTimeoutMs, Optional.empty(), DEFAULT_HTTP2,
        DEFAULT_H2C, DEFAULT_MAX_CONCURRENT_STREAMS);
  }

  /** The configuration used when the JSON has no {@code server} object. */
  public static ServerConfig defaults() {
    return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_INSTANCES, DEFAULT_MAX_HEADER_BYTES,
        DEFAULT_MAX_BODY_BYTES, DEFAULT_IDLE_TIMEOUT_MS);
  }
}
