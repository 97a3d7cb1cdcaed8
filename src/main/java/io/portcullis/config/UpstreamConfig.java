package io.portcullis.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named group of interchangeable endpoints with its policies (an entry of the JSON object
 * {@code upstreams}).
 *
 * @param name the key in {@code upstreams}: non-empty, {@code [A-Za-z0-9._-]+}; required
 * @param endpoints the servers, at least one, no duplicates; unmodifiable; required
 * @param balancer how requests are spread; default {@link BalancerKind#ROUND_ROBIN}
 * @param connectTimeoutMs TCP (and TLS) connect time limit, >= 1; default {@code 1000}
 * @param circuitBreaker the per-endpoint breaker; default {@link BreakerConfig#defaults()}
 * @param retry the retry policy; default {@link RetryConfig#defaults()}
 * @param healthCheck active health checking; empty unless the JSON has a {@code healthCheck}
 *     object
 * @param tls how {@code https://} endpoints are verified; default {@link UpstreamTlsConfig#defaults()}
 * @param concurrency the limit on requests in flight to it; default {@link ConcurrencyConfig#defaults()}
 * @param pool each event loop's connection pool to it; default {@link PoolConfig#defaults()}
 * @param discovery DNS discovery of its endpoints; default {@link DiscoveryConfig#defaults()} (off)
 */
public record UpstreamConfig(
    String name,
    List<Endpoint> endpoints,
    BalancerKind balancer,
    long connectTimeoutMs,
    BreakerConfig circuitBreaker,
    RetryConfig retry,
    Optional<HealthCheckConfig> healthCheck,
    UpstreamTlsConfig tls,
    ConcurrencyConfig concurrency,
    PoolConfig pool,
    DiscoveryConfig discovery) {

  /** Default {@link #balancer()}. */
  public static final BalancerKind DEFAULT_BALANCER = BalancerKind.ROUND_ROBIN;
  /** Default {@link #connectTimeoutMs()}. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 1_000L;

  /** Checks for nulls and copies {@code endpoints} into an unmodifiable list. */
  public UpstreamConfig {
    Objects.requireNonNull(name, "name");
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(balancer, "balancer");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(discovery, "discovery");
  }

  /** An upstream with the default {@link #concurrency()}, {@link #pool()} and {@link #discovery()}. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, BalancerKind balancer, long connectTimeoutMs,
      BreakerConfig circuitBreaker, RetryConfig retry, Optional<HealthCheckConfig> healthCheck,
      UpstreamTlsConfig tls) {
    this(name, endpoints, balancer, connectTimeoutMs, circuitBreaker, retry, healthCheck, tls,
        ConcurrencyConfig.defaults(), PoolConfig.defaults(), DiscoveryConfig.defaults());
  }

  /** An upstream with the default {@link #tls()}. */
  public UpstreamConfig(String name, List<Endpoint> endpoints, BalancerKind balancer, long connectTimeoutMs,
      BreakerConfig circuitBreaker, RetryConfig retry, Optional<HealthCheckConfig> healthCheck) {
    this(name, endpoints, balancer, connectTimeoutMs, circuitBreaker, retry, healthCheck,
        UpstreamTlsConfig.defaults());
  }
}
