package io.portcullis.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Map;

/**
 * Writes a {@link GatewayConfig} back in the input schema, every default filled in (route
 * overrides only with the fields given), so that reading the result gives the same configuration
 * (a literal {@code ${} in a string is written {@code $${}, as environment substitution expects).
 * It also writes the view of {@code GET /admin/routes}: each route as written here, with its
 * effective timeout and, per upstream, its {@link EffectivePolicy} in the same field spelling.
 * This is the only JSON rendering of configuration ({@code --print-config} and the admin view).
 */
public final class ConfigWriter {

  private ConfigWriter() {}

  /** {@code config} in the input schema, every default filled in. */
  public static JsonObject toJson(GatewayConfig config) {
    ServerConfig server = config.server();
    DeadlineConfig deadline = config.deadline();
    JsonObject upstreams = new JsonObject();
    config.upstreams().forEach((name, upstream) -> upstreams.put(name, upstream(upstream)));
    JsonArray routes = new JsonArray();
    config.routes().forEach(route -> routes.add(route(route)));
    JsonObject json = new JsonObject()
        .put("server", new JsonObject()
            .put("host", server.host())
            .put("port", server.port())
            .put("instances", server.instances())
            .put("maxHeaderBytes", server.maxHeaderBytes())
            .put("maxBodyBytes", server.maxBodyBytes())
            .put("idleTimeoutMs", server.idleTimeoutMs())
            .put("http2", server.http2())
            .put("h2c", server.h2c())
            .put("maxConcurrentStreams", server.maxConcurrentStreams())
            .put("proxyProtocol", server.proxyProtocol())
            .put("trustedProxies", array(server.trustedProxies().stream().map(CidrBlock::toString).toList()))
            .put("maxHops", server.maxHops()))
        .put("admin", new JsonObject().put("host", config.admin().host()).put("port", config.admin().port()))
        .put("shutdown", new JsonObject()
            .put("drainMs", config.shutdown().drainMs())
            .put("graceMs", config.shutdown().graceMs()))
        .put("deadline", new JsonObject()
            .put("header", deadline.header())
            .put("defaultMs", deadline.defaultMs())
            .put("maxMs", deadline.maxMs()))
        .put("accessLog", new JsonObject().put("enabled", config.accessLog().enabled()))
        .put("upstreams", upstreams)
        .put("routes", routes)
        .put("tracing", new JsonObject()
            .put("enabled", config.tracing().enabled())
            .put("exporter", config.tracing().exporter().jsonName())
            .put("otlpEndpoint", config.tracing().otlpEndpoint())
            .put("serviceName", config.tracing().serviceName())
            .put("sampleRatio", number(config.tracing().sampleRatio())))
        .put("reload", new JsonObject()
            .put("watch", config.reload().watch())
            .put("pollMs", config.reload().pollMs()));
    config.redis().ifPresent(redis -> json.put("redis", new JsonObject()
        .put("endpoint", redis.endpoint())
        .put("timeoutMs", redis.timeoutMs())));
    json.put("dns", new JsonObject()
        .put("servers", array(config.dns().servers().stream().map(DnsServer::toString).toList())));
    server.tls().ifPresent(tls -> json.getJsonObject("server")
        .put("tls", new JsonObject().put("certFile", tls.certFile()).put("keyFile", tls.keyFile())
            .put("engine", tls.engine().jsonName())));
    escapeStrings(json);
    return json;
  }

  /**
   * The {@code GET /admin/routes} document: {@code {"routes":[...]}}, each route as
   * {@link #toJson} writes it plus {@code timeoutMs} (the effective one) and {@code effective}:
   * per upstream, {@code upstream}, {@code timeoutMs}, {@code retry} and {@code circuitBreaker}
   * with every field, {@code rateLimit} when the route has one, and {@code hedge} (with
   * {@code maxHedges} filled in) when it hedges.
   *
   * @param policies per route name, per upstream name, in configured order
   */
  public static JsonObject routesView(GatewayConfig config, Map<String, Map<String, EffectivePolicy>> policies) {
    JsonArray routes = new JsonArray();
    for (RouteConfig route : config.routes()) {
      JsonObject json = route(route);
      json.put("timeoutMs", config.timeoutFor(route));
      JsonObject effective = new JsonObject();
      policies.getOrDefault(route.name(), Map.of()).forEach((upstream, policy) ->
          effective.put(upstream, policy(policy, config.upstreams().get(upstream))));
      json.put("effective", effective);
      routes.add(json);
    }
    JsonObject view = new JsonObject().put("routes", routes);
    escapeStrings(view);
    return view;
  }

  /**
   * One effective policy: its upstream, timeout, retry and breaker (every field), rate limit and
   * hedge if any, and the upstream's concurrency limit (every field; it is the upstream's, shared
   * by every route that calls it).
   */
  private static JsonObject policy(EffectivePolicy policy, UpstreamConfig upstream) {
    JsonObject json = new JsonObject()
        .put("upstream", policy.upstream())
        .put("timeoutMs", policy.timeoutMs())
        .put("retry", retry(RetryOverride.NONE, policy.retry()))
        .put("circuitBreaker", breaker(BreakerOverride.NONE, policy.circuitBreaker()));
    policy.rateLimit().ifPresent(limit -> json.put("rateLimit", rateLimit(limit)));
    policy.hedge().ifPresent(hedge -> json.put("hedge", hedge(hedge)));
    if (upstream != null) {
      json.put("concurrency", concurrency(upstream.concurrency()));
    }
    return json;
  }

  /** An upstream's {@code concurrency}, every field. */
  private static JsonObject concurrency(ConcurrencyConfig concurrency) {
    return new JsonObject()
        .put("mode", concurrency.mode().jsonName())
        .put("initial", concurrency.initial())
        .put("min", concurrency.min())
        .put("max", concurrency.max());
  }

  /**
   * Writes every string value (not member names) so that environment substitution reads it back
   * as it is: a literal {@code ${} becomes {@code $${}.
   */
  private static void escapeStrings(Object value) {
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        Object member = object.getValue(key);
        if (member instanceof String text) {
          object.put(key, EnvSubstitution.escape(text));
        } else {
          escapeStrings(member);
        }
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        Object element = array.getValue(i);
        if (element instanceof String text) {
          array.set(i, EnvSubstitution.escape(text));
        } else {
          escapeStrings(element);
        }
      }
    }
  }

  private static JsonObject upstream(UpstreamConfig upstream) {
    JsonArray endpoints = new JsonArray();
    upstream.endpoints().forEach(endpoint -> endpoints.add(endpoint.toString()));
    JsonObject json = new JsonObject()
        .put("endpoints", endpoints)
        .put("balancer", upstream.balancer().jsonName())
        .put("connectTimeoutMs", upstream.connectTimeoutMs())
        .put("circuitBreaker", breaker(BreakerOverride.NONE, upstream.circuitBreaker()))
        .put("retry", retry(RetryOverride.NONE, upstream.retry()));
    JsonObject tls = new JsonObject().put("verifyHostname", upstream.tls().verifyHostname());
    upstream.tls().trustFile().ifPresent(file -> tls.put("trustFile", file));
    json.put("tls", tls);
    upstream.healthCheck().ifPresent(check -> json.put("healthCheck", new JsonObject()
        .put("path", check.path())
        .put("intervalMs", check.intervalMs())
        .put("timeoutMs", check.timeoutMs())
        .put("unhealthyThreshold", check.unhealthyThreshold())
        .put("healthyThreshold", check.healthyThreshold())));
    json.put("concurrency", concurrency(upstream.concurrency()));
    JsonObject pool = new JsonObject().put("maxConnections", upstream.pool().maxConnections());
    upstream.pool().maxPending().ifPresent(maxPending -> pool.put("maxPending", maxPending)); // absent: unbounded
    json.put("pool", pool);
    json.put("discovery", new JsonObject()
        .put("dns", upstream.discovery().dns())
        .put("refreshMs", upstream.discovery().refreshMs()));
    return json;
  }

  private static JsonObject route(RouteConfig route) {
    MatchConfig match = route.match();
    JsonObject matchJson = new JsonObject();
    match.path().ifPresent(path -> matchJson.put("path", path));
    match.pathPrefix().ifPresent(prefix -> matchJson.put("pathPrefix", prefix));
    matchJson.put("methods", array(match.methods()));
    JsonObject json = new JsonObject().put("name", route.name()).put("match", matchJson);
    route.upstream().ifPresent(upstream -> json.put("upstream", upstream));
    if (route.isAggregate()) {
      JsonArray aggregate = new JsonArray();
      route.aggregate().forEach(backend -> aggregate.add(new JsonObject()
          .put("upstream", backend.upstream())
          .put("path", backend.path())
          .put("as", backend.as())
          .put("required", backend.required())));
      json.put("aggregate", aggregate);
    }
    route.stripPrefix().ifPresent(strip -> json.put("stripPrefix", strip));
    route.timeoutMs().ifPresent(timeout -> json.put("timeoutMs", timeout));
    if (!RetryOverride.NONE.equals(route.retry())) {
      json.put("retry", retry(route.retry(), null));
    }
    if (!BreakerOverride.NONE.equals(route.circuitBreaker())) {
      json.put("circuitBreaker", breaker(route.circuitBreaker(), null));
    }
    if (route.upstream().isPresent()) {
      json.put("websocket", route.websocket());
    }
    route.rateLimit().ifPresent(limit -> json.put("rateLimit", rateLimit(limit)));
    route.hedge().ifPresent(hedge -> json.put("hedge", hedge(hedge)));
    return json;
  }

  private static JsonObject hedge(HedgeConfig hedge) {
    JsonObject json = new JsonObject();
    hedge.delayMs().ifPresent(delay -> json.put("delayMs", delay));
    hedge.percentile().ifPresent(percentile -> json.put("percentile", number(percentile)));
    return json.put("maxHedges", hedge.maxHedges());
  }

  private static JsonObject rateLimit(RateLimitConfig limit) {
    return new JsonObject()
        .put("requestsPerSecond", number(limit.requestsPerSecond()))
        .put("burst", limit.burst())
        .put("key", limit.key())
        .put("scope", limit.scope().jsonName());
  }

  /** The override's fields, then (if {@code full} is not null) every other field of {@code full}. */
  private static JsonObject retry(RetryOverride override, RetryConfig full) {
    RetryConfig values = full != null ? full : override.applyTo(RetryConfig.defaults());
    JsonObject json = new JsonObject();
    if (full != null || override.maxAttempts() != null) {
      json.put("maxAttempts", values.maxAttempts());
    }
    if (full != null || override.baseDelayMs() != null) {
      json.put("baseDelayMs", values.baseDelayMs());
    }
    if (full != null || override.maxDelayMs() != null) {
      json.put("maxDelayMs", values.maxDelayMs());
    }
    if (full != null || override.jitter() != null) {
      json.put("jitter", values.jitter().jsonName());
    }
    if (full != null || override.perTryTimeoutMs() != null) {
      json.put("perTryTimeoutMs", values.perTryTimeoutMs());
    }
    if (full != null || override.retryOn() != null) {
      json.put("retryOn", array(values.retryOn()));
    }
    if (full != null || override.methods() != null) {
      json.put("methods", array(values.methods()));
    }
    if (full != null || override.budgetRatio() != null) {
      json.put("budgetRatio", number(values.budgetRatio()));
    }
    if (full != null || override.budgetMinPerSecond() != null) {
      json.put("budgetMinPerSecond", number(values.budgetMinPerSecond()));
    }
    return json;
  }

  private static JsonObject breaker(BreakerOverride override, BreakerConfig full) {
    BreakerConfig values = full != null ? full : override.applyTo(BreakerConfig.defaults());
    JsonObject json = new JsonObject();
    if (full != null || override.maxFailures() != null) {
      json.put("maxFailures", values.maxFailures());
    }
    if (full != null || override.rollingWindowMs() != null) {
      json.put("rollingWindowMs", values.rollingWindowMs());
    }
    if (full != null || override.resetTimeoutMs() != null) {
      json.put("resetTimeoutMs", values.resetTimeoutMs());
    }
    if (full != null || override.failureStatuses() != null) {
      json.put("failureStatuses", array(values.failureStatuses()));
    }
    return json;
  }

  private static JsonArray array(Collection<?> values) {
    JsonArray array = new JsonArray();
    values.forEach(array::add);
    return array;
  }

  /** A whole number as an integer ({@code 10}, not {@code 10.0}), as a person would write it. */
  private static Number number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Number) (long) value : (Number) value;
  }
}
