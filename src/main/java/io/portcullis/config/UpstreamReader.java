package io.portcullis.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the {@code upstreams} object. */
final class UpstreamReader {

  /**
   * What was read.
   *
   * @param node the {@code upstreams} node
   * @param names every upstream name given, even of an upstream with problems (so that a route
   *     naming it is not told it is unknown)
   * @param valid the upstreams without problems
   * @param retries the retry policy of every upstream whose policy has no problems, for the
   *     coherence checks against route timeouts
   */
  record Upstreams(Node node, Set<String> names, Map<String, UpstreamConfig> valid, Map<String, RetryConfig> retries) {}

  private final Problems problems;

  UpstreamReader(Problems problems) {
    this.problems = problems;
  }

  Upstreams read(Node node) {
    Set<String> names = new LinkedHashSet<>();
    Map<String, UpstreamConfig> valid = new LinkedHashMap<>();
    Map<String, RetryConfig> retries = new LinkedHashMap<>();
    if (!node.present()) {
      problems.add(node, "required");
    } else if (!(node.value() instanceof JsonObject object)) {
      problems.add(node, "must be an object, got " + node.shown());
    } else {
      for (String name : object.fieldNames()) {
        names.add(name);
        Node upstream = node.child(name);
        int mark = problems.mark();
        if (name.isEmpty()) {
          problems.add(upstream, "upstream name must not be empty");
        } else if (!Syntax.UPSTREAM_NAME.matcher(name).matches()) {
          problems.add(upstream, "upstream name must match [A-Za-z0-9._-]+, got " + Syntax.quote(name));
        }
        UpstreamConfig config = upstream(name, upstream, retries);
        if (problems.cleanSince(mark)) {
          valid.put(name, config);
        }
      }
    }
    return new Upstreams(node, names, valid, retries);
  }

  private UpstreamConfig upstream(String name, Node node, Map<String, RetryConfig> retries) {
    Fields f = Fields.open(node, problems,
        "endpoints", "balancer", "connectTimeoutMs", "circuitBreaker", "retry", "healthCheck", "tls", "concurrency",
        "pool", "discovery");
    List<Endpoint> endpoints = endpoints(f);
    BalancerKind balancer =
        f.choice("balancer", UpstreamConfig.DEFAULT_BALANCER, BalancerKind.values(), BalancerKind::jsonName);
    long connectTimeoutMs = f.integer("connectTimeoutMs", UpstreamConfig.DEFAULT_CONNECT_TIMEOUT_MS, Range.atLeast(1));
    BreakerConfig breaker = PolicyReader.upstreamBreaker(f.get("circuitBreaker"), problems);
    PolicyReader.UpstreamRetry read = PolicyReader.upstreamRetry(f.get("retry"), problems);
    RetryConfig retry = read.valid();
    if (f.isObject()) {
      retries.put(name, read.checked());
    }
    Optional<HealthCheckConfig> healthCheck =
        f.has("healthCheck") ? Optional.ofNullable(healthCheck(f.get("healthCheck"))) : Optional.empty();
    UpstreamTlsConfig tls = tls(f.get("tls"));
    OverloadReader overload = new OverloadReader(problems);
    ConcurrencyConfig concurrency = overload.concurrency(f.get("concurrency"));
    PoolConfig pool = overload.pool(f.get("pool"));
    DiscoveryConfig discovery = discovery(f.get("discovery"));
    if (endpoints == null || breaker == null || retry == null || tls == null || concurrency == null || pool == null
        || discovery == null) {
      return null;
    }
    return new UpstreamConfig(name, endpoints, balancer, connectTimeoutMs, breaker, retry, healthCheck, tls,
        concurrency, pool, discovery);
  }

  private List<Endpoint> endpoints(Fields f) {
    if (!f.has("endpoints")) {
      if (f.isObject()) {
        problems.add(f.get("endpoints"), "required");
      }
      return null;
    }
    List<Node> elements = f.elements("endpoints");
    if (elements == null) {
      return null;
    }
    if (elements.isEmpty()) {
      problems.add(f.get("endpoints"), "must not be empty");
      return null;
    }
    int mark = problems.mark();
    List<Endpoint> endpoints = new ArrayList<>();
    Set<Endpoint> seen = new HashSet<>(); // not endpoints.contains: quadratic in a long list
    for (Node element : elements) {
      String url = Fields.string(element, problems, null);
      if (url == null) {
        continue;
      }
      Endpoint endpoint = Syntax.endpoint(url);
      if (endpoint == null) {
        problems.add(element, "must be an http(s) URL like \"http://host:port\", got " + element.shown());
      } else if (!seen.add(endpoint)) {
        problems.add(element, "duplicate endpoint " + Syntax.quote(endpoint.toString()));
      } else {
        endpoints.add(endpoint);
      }
    }
    return problems.cleanSince(mark) ? endpoints : null;
  }

  private UpstreamTlsConfig tls(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "trustFile", "verifyHostname");
    Optional<String> trustFile = Optional.empty();
    String file = f.string("trustFile", null);
    if (file != null) {
      trustFile = Optional.of(file);
      PemFiles.checkCertificates(f.get("trustFile"), file, problems);
    }
    boolean verifyHostname = f.bool("verifyHostname", UpstreamTlsConfig.DEFAULT_VERIFY_HOSTNAME);
    return problems.cleanSince(mark) ? new UpstreamTlsConfig(trustFile, verifyHostname) : null;
  }

  /** {@code discovery}; null if it has problems. Endpoints keep their host names either way. */
  private DiscoveryConfig discovery(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "dns", "refreshMs");
    boolean dns = f.bool("dns", DiscoveryConfig.DEFAULT_DNS);
    long refreshMs = f.integer("refreshMs", DiscoveryConfig.DEFAULT_REFRESH_MS, Range.atLeast(1));
    return problems.cleanSince(mark) ? new DiscoveryConfig(dns, refreshMs) : null;
  }

  private HealthCheckConfig healthCheck(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "path", "intervalMs", "timeoutMs", "unhealthyThreshold", "healthyThreshold");
    String path = f.string("path", HealthCheckConfig.DEFAULT_PATH);
    if (f.has("path") && path != null) {
      String problem = Syntax.pathProblem(path);
      if (problem != null) {
        problems.add(f.get("path"), problem);
      }
    }
    int intervalMark = problems.mark();
    long intervalMs = f.integer("intervalMs", HealthCheckConfig.DEFAULT_INTERVAL_MS, Range.atLeast(1));
    boolean intervalValid = problems.cleanSince(intervalMark);
    int timeoutMark = problems.mark();
    long timeoutMs = f.integer("timeoutMs", HealthCheckConfig.DEFAULT_TIMEOUT_MS, Range.atLeast(1));
    if (intervalValid && problems.cleanSince(timeoutMark) && timeoutMs >= intervalMs) {
      problems.add(f.get("timeoutMs"), "must be below intervalMs " + intervalMs + ", got " + timeoutMs
          + (f.has("timeoutMs") ? "" : " (default)"));
    }
    int unhealthy = f.int32("unhealthyThreshold", HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD, Range.intAtLeast(1));
    int healthy = f.int32("healthyThreshold", HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD, Range.intAtLeast(1));
    return problems.cleanSince(mark) ? new HealthCheckConfig(path, intervalMs, timeoutMs, unhealthy, healthy) : null;
  }
}
