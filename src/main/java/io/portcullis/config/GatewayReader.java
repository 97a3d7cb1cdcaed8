package io.portcullis.config;

import io.portcullis.config.RouteReader.ParsedRoute;
import io.portcullis.config.UpstreamReader.Upstreams;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a whole parsed document into a {@link GatewayConfig}, collecting every problem: the
 * top-level objects, then upstreams, then routes (which refer to upstreams), then the coherence
 * checks between them.
 */
final class GatewayReader {

  private static final Range PORT = Range.between(0, 65535);

  private final Problems problems = new Problems();
  private final PathRules pathRules;
  private final KeyPairRules keyPairRules;

  GatewayReader(PathRules pathRules, KeyPairRules keyPairRules) {
    this.pathRules = pathRules;
    this.keyPairRules = keyPairRules;
  }

  /**
   * Reads the document, after substituting the environment in its string values.
   *
   * @param env an environment variable's value, or null if it is not set
   */
  GatewayConfig read(DocumentReader.Document document, Function<String, String> env) throws ConfigException {
    if (!(document.value() instanceof JsonObject)) {
      throw new ConfigException(List.of("$: must be a JSON object"));
    }
    Node root = Node.root(document.value());
    List<Object> lastObject = null;
    Node object = null;
    for (DocumentReader.DuplicateKey duplicate : document.duplicateKeys()) {
      if (duplicate.object() != lastObject) { // the duplicates of one object share its path
        lastObject = duplicate.object();
        object = locate(root, lastObject);
      }
      problems.add(object.child(duplicate.name()), "duplicate key");
    }
    EnvSubstitution.apply(root, env, problems);
    Fields top = Fields.open(root, problems, "$schema",
        "server", "admin", "shutdown", "deadline", "accessLog", "upstreams", "routes", "tracing", "reload", "redis",
        "dns");
    // "$schema" (for editors) is allowed and ignored, whatever its value (CONTRACT §8.8).
    NetworkReader network = new NetworkReader(problems);

    Fields serverFields = Fields.open(top.get("server"), problems,
        "host", "port", "instances", "maxHeaderBytes", "maxBodyBytes", "idleTimeoutMs", "tls", "http2", "h2c",
        "maxConcurrentStreams", "proxyProtocol", "trustedProxies", "maxHops");
    int serverPortMark = problems.mark();
    int serverPort = serverFields.int32("port", ServerConfig.DEFAULT_PORT, PORT);
    boolean serverPortValid = problems.cleanSince(serverPortMark);
    ServerConfig server = server(serverFields, serverPort, network);
    AdminConfig admin = admin(top.get("admin"), serverPortValid ? serverPort : null);
    ShutdownConfig shutdown = shutdown(top.get("shutdown"));

    Fields deadlineFields = Fields.open(top.get("deadline"), problems, "header", "defaultMs", "maxMs");
    int maxMark = problems.mark();
    long maxMs = deadlineFields.integer("maxMs", DeadlineConfig.DEFAULT_MAX_MS, Range.atLeast(1));
    boolean maxValid = problems.cleanSince(maxMark);
    int defaultMark = problems.mark();
    // A defaultMs above maxMs is not an error: every budget is capped at maxMs (README "deadline").
    long defaultMs = deadlineFields.integer("defaultMs", DeadlineConfig.DEFAULT_DEFAULT_MS, Range.atLeast(1));
    boolean defaultValid = problems.cleanSince(defaultMark);
    DeadlineConfig deadline = new DeadlineConfig(header(deadlineFields), defaultMs, maxMs);

    Fields accessLogFields = Fields.open(top.get("accessLog"), problems, "enabled");
    AccessLogConfig accessLog = new AccessLogConfig(accessLogFields.bool("enabled", AccessLogConfig.DEFAULT_ENABLED));

    Optional<RedisConfig> redis = network.redis(top.get("redis"));
    DnsConfig dns = network.dns(top.get("dns"));
    Upstreams upstreams = new UpstreamReader(problems).read(top.get("upstreams"));
    List<ParsedRoute> routes = new RouteReader(problems, pathRules, upstreams.names(), top.has("redis")).read(top.get("routes"));
    Coherence.check(routes, upstreams, defaultValid ? defaultMs : null, maxValid ? maxMs : null, problems);
    TracingConfig tracing = tracing(top.get("tracing"));
    Fields reloadFields = Fields.open(top.get("reload"), problems, "watch", "pollMs");
    ReloadConfig reload = new ReloadConfig(reloadFields.bool("watch", ReloadConfig.DEFAULT_WATCH),
        reloadFields.integer("pollMs", ReloadConfig.DEFAULT_POLL_MS, Range.atLeast(100)));

    if (!problems.isEmpty()) {
      throw new ConfigException(problems.messages());
    }
    List<RouteConfig> routeConfigs = new ArrayList<>();
    routes.forEach(route -> routeConfigs.add(route.config()));
    return new GatewayConfig(server, admin, shutdown, deadline, accessLog, upstreams.valid(), routeConfigs,
        tracing, reload, redis, dns);
  }

  private ServerConfig server(Fields f, int port, NetworkReader network) {
    return new ServerConfig(
        host(f, ServerConfig.DEFAULT_HOST),
        port,
        f.int32("instances", ServerConfig.DEFAULT_INSTANCES, Range.intAtLeast(0)),
        f.int32("maxHeaderBytes", ServerConfig.DEFAULT_MAX_HEADER_BYTES, Range.intAtLeast(1024)),
        f.integer("maxBodyBytes", ServerConfig.DEFAULT_MAX_BODY_BYTES, Range.atLeast(0)),
        f.integer("idleTimeoutMs", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS, Range.atLeast(0)),
        serverTls(f.get("tls")),
        f.bool("http2", ServerConfig.DEFAULT_HTTP2),
        f.bool("h2c", ServerConfig.DEFAULT_H2C),
        f.int32("maxConcurrentStreams", ServerConfig.DEFAULT_MAX_CONCURRENT_STREAMS, Range.intAtLeast(1)),
        f.bool("proxyProtocol", ServerConfig.DEFAULT_PROXY_PROTOCOL),
        network.trustedProxies(f),
        f.int32("maxHops", ServerConfig.DEFAULT_MAX_HOPS, Range.intAtLeast(1)));
  }

  private Optional<TlsConfig> serverTls(Node node) {
    if (!node.present()) {
      return Optional.empty();
    }
    Fields f = Fields.open(node, problems, "certFile", "keyFile", "engine");
    if (!f.isObject()) {
      return Optional.empty();
    }
    int mark = problems.mark();
    String certFile = f.requiredString("certFile");
    if (certFile != null) {
      PemFiles.checkCertificates(f.get("certFile"), certFile, problems);
    }
    String keyFile = f.requiredString("keyFile");
    if (keyFile != null) {
      PemFiles.checkPrivateKey(f.get("keyFile"), keyFile, problems);
    }
    if (certFile != null && keyFile != null && problems.cleanSince(mark)) {
      KeyPairRules.Problem pair = keyPairRules.check(certFile, keyFile);
      if (pair != null && pair.mismatch()) {
        problems.add(f.get("keyFile"), "does not match the certificate in server.tls.certFile");
      } else if (pair != null) {
        problems.add(f.get(pair.setting()), pair.reason());
      }
    }
    TlsEngine engine = f.choice("engine", TlsConfig.DEFAULT_ENGINE, TlsEngine.values(), TlsEngine::jsonName);
    return certFile == null || keyFile == null ? Optional.empty()
        : Optional.of(new TlsConfig(certFile, keyFile, engine));
  }

  private TracingConfig tracing(Node node) {
    Fields f = Fields.open(node, problems, "enabled", "exporter", "otlpEndpoint", "serviceName", "sampleRatio");
    boolean enabled = f.bool("enabled", TracingConfig.DEFAULT_ENABLED);
    TraceExporter exporter =
        f.choice("exporter", TracingConfig.DEFAULT_EXPORTER, TraceExporter.values(), TraceExporter::jsonName);
    String endpoint = f.string("otlpEndpoint", TracingConfig.DEFAULT_OTLP_ENDPOINT);
    if (f.has("otlpEndpoint") && endpoint != null && !Syntax.isHttpUrl(endpoint)) {
      problems.add(f.get("otlpEndpoint"), "must be an http(s) URL like \"http://host:4318/v1/traces\", got "
          + f.get("otlpEndpoint").shown());
    }
    String serviceName = f.string("serviceName", TracingConfig.DEFAULT_SERVICE_NAME);
    if (serviceName.isEmpty()) {
      problems.add(f.get("serviceName"), "must not be empty");
    }
    double sampleRatio = f.number("sampleRatio", TracingConfig.DEFAULT_SAMPLE_RATIO, 0, 1, true);
    return new TracingConfig(enabled, exporter, endpoint == null ? TracingConfig.DEFAULT_OTLP_ENDPOINT : endpoint,
        serviceName, sampleRatio);
  }

  /** @param serverPort {@code server.port}, or null if it is invalid */
  private AdminConfig admin(Node node, Integer serverPort) {
    Fields f = Fields.open(node, problems, "host", "port");
    String host = host(f, AdminConfig.DEFAULT_HOST);
    int mark = problems.mark();
    int port = f.int32("port", AdminConfig.DEFAULT_PORT, PORT);
    // Two listeners on one port would be merged by Vert.x, which shares a server socket between
    // servers bound to the same port, and admin requests would reach the gateway at random.
    if (problems.cleanSince(mark) && serverPort != null && port != 0 && port == serverPort) {
      problems.add(f.get("port"), "must differ from server.port " + serverPort + ", got " + port
          + (f.has("port") ? "" : " (default)"));
    }
    return new AdminConfig(host, port);
  }

  private ShutdownConfig shutdown(Node node) {
    Fields f = Fields.open(node, problems, "drainMs", "graceMs");
    return new ShutdownConfig(
        f.integer("drainMs", ShutdownConfig.DEFAULT_DRAIN_MS, Range.atLeast(0)),
        f.integer("graceMs", ShutdownConfig.DEFAULT_GRACE_MS, Range.atLeast(0)));
  }

  private String host(Fields f, String dflt) {
    String host = f.string("host", dflt);
    if (host.isEmpty()) {
      problems.add(f.get("host"), "must not be empty");
    }
    return host;
  }

  private String header(Fields f) {
    String header = f.string("header", DeadlineConfig.DEFAULT_HEADER);
    if (!Syntax.isToken(header)) {
      problems.add(f.get("header"), "must be an HTTP header field name (token), got " + Syntax.quote(header));
    }
    return header;
  }

  /** The path as messages print it ({@code routes[1].match}; {@code $} for the whole document). */
  static String label(List<Object> path) {
    return locate(Node.root(null), path).label();
  }

  private static Node locate(Node root, List<Object> path) {
    Node node = root;
    for (Object step : path) {
      node = step instanceof String key ? node.child(key) : node.element((Integer) step);
    }
    return node;
  }
}
