package io.portcullis.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole, validated gateway configuration (the JSON document, README "Configuration reference"), every default
 * filled in. Made by {@link ConfigLoader}; immutable, so a reload swaps a whole snapshot.
 *
 * @param server the main listener; default {@link ServerConfig#defaults()}
 * @param admin the admin listener; default {@link AdminConfig#defaults()}
 * @param shutdown graceful shutdown phases; default {@link ShutdownConfig#defaults()}
 * @param deadline request deadlines; default {@link DeadlineConfig#defaults()}
 * @param accessLog the access log; default {@link AccessLogConfig#defaults()}
 * @param upstreams upstreams by name, in the order given; unmodifiable; required
 * @param routes routes in matching order, at least one; unmodifiable; required
 * @param tracing trace context and export; default {@link TracingConfig#defaults()}
 * @param reload hot reload of the file; default {@link ReloadConfig#defaults()}
 * @param redis the Redis of cluster-wide rate limits; empty (the default) means none, and no
 *     route may then have {@code rateLimit.scope: "cluster"}
 * @param dns the resolver of DNS discovery; default {@link DnsConfig#defaults()} (the system's)
 */
public record GatewayConfig(
    ServerConfig server,
    AdminConfig admin,
    ShutdownConfig shutdown,
    DeadlineConfig deadline,
    AccessLogConfig accessLog,
    Map<String, UpstreamConfig> upstreams,
    List<RouteConfig> routes,
    TracingConfig tracing,
    ReloadConfig reload,
    Optional<RedisConfig> redis,
    DnsConfig dns) {

  /** Checks for nulls and copies the collections into unmodifiable ones (order kept). */
  public GatewayConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(accessLog, "accessLog");
    upstreams = Immutables.orderedMap(upstreams, "upstreams");
    routes = List.copyOf(routes);
    Objects.requireNonNull(tracing, "tracing");
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(dns, "dns");
  }

  /** A configuration without Redis and with the system's DNS resolvers. */
  public GatewayConfig(ServerConfig server, AdminConfig admin, ShutdownConfig shutdown, DeadlineConfig deadline,
      AccessLogConfig accessLog, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
      TracingConfig tracing, ReloadConfig reload) {
    this(server, admin, shutdown, deadline, accessLog, upstreams, routes, tracing, reload, Optional.empty(),
        DnsConfig.defaults());
  }

  /** A configuration with the default {@link #tracing()} and {@link #reload()}. */
  public GatewayConfig(ServerConfig server, AdminConfig admin, ShutdownConfig shutdown, DeadlineConfig deadline,
      AccessLogConfig accessLog, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes) {
    this(server, admin, shutdown, deadline, accessLog, upstreams, routes, TracingConfig.defaults(),
        ReloadConfig.defaults());
  }

  /**
   * The effective budget of a route: its {@code timeoutMs} if given, else
   * {@code deadline.defaultMs}.
   */
  public long timeoutFor(RouteConfig route) {
    return Math.min(route.timeoutMs().orElse(deadline.defaultMs()), deadline.maxMs());
  }
}
