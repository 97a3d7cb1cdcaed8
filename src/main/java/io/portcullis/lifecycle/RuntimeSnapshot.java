package io.portcullis.lifecycle;

import io.portcullis.pipeline.RouteTarget;
import io.portcullis.config.EffectivePolicy;
import io.portcullis.config.GatewayConfig;
import io.portcullis.observe.AccessLog;
import io.portcullis.route.RouteTable;
import io.portcullis.trace.Tracing;
import io.portcullis.upstream.Upstream;

import java.util.Map;

/**
 * One immutable generation of the gateway's configuration-derived state: the effective
 * configuration, the upstreams (with their breakers, retry budgets and balancers), the compiled
 * route table with its call plans, the effective policies shown by {@code /admin/routes}, the
 * access log and the tracing (with its exporter). {@link GatewayRuntime} holds the current one in a volatile field; a request reads it
 * once when it starts and uses it to its end, so a reload never shows it half a configuration.
 */
public final class RuntimeSnapshot {

  private final long generation;
  private final GatewayConfig config;
  private final Map<String, Upstream> upstreams;
  private final RouteTable<RouteTarget> routes;
  private final Map<String, Map<String, EffectivePolicy>> effectivePolicies;
  private final AccessLog accessLog;
  private final Tracing tracing;

  RuntimeSnapshot(long generation, GatewayConfig config, Map<String, Upstream> upstreams,
                  RouteTable<RouteTarget> routes, Map<String, Map<String, EffectivePolicy>> effectivePolicies,
                  AccessLog accessLog, Tracing tracing) {
    this.generation = generation;
    this.config = config;
    this.upstreams = upstreams;
    this.routes = routes;
    this.effectivePolicies = effectivePolicies;
    this.accessLog = accessLog;
    this.tracing = tracing;
  }

  /** 1 for the configuration the process started with, one more for each applied reload. */
  public long generation() {
    return generation;
  }

  /** The effective configuration. */
  public GatewayConfig config() {
    return config;
  }

  /** The upstreams by name, in configured order; unmodifiable. */
  public Map<String, Upstream> upstreams() {
    return upstreams;
  }

  /** The compiled routes, in matching order. */
  RouteTable<RouteTarget> routes() {
    return routes;
  }

  /** Effective policy per route name and upstream name, after defaults and overrides; unmodifiable. */
  public Map<String, Map<String, EffectivePolicy>> effectivePolicies() {
    return effectivePolicies;
  }

  /** Trace context propagation and span export of this configuration. */
  public Tracing tracing() {
    return tracing;
  }

  /** The access log of this configuration. */
  AccessLog accessLog() {
    return accessLog;
  }
}
