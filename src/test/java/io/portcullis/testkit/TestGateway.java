package io.portcullis.testkit;

import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.lifecycle.Gateway;
import io.portcullis.lifecycle.GatewayOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A real gateway on real sockets for integration tests: main and admin ports are 0 (random),
 * shutdown phases default to 0 ms drain and 2 s grace unless the config says otherwise.
 */
public final class TestGateway implements AutoCloseable {

  private final Gateway gateway;

  private TestGateway(Gateway gateway) {
    this.gateway = gateway;
  }

  /**
   * Starts a gateway. {@code config} needs only {@code upstreams} and {@code routes}; server and
   * admin ports are forced to 0, and missing server/shutdown settings get fast test defaults.
   */
  public static TestGateway start(JsonObject config) {
    return start(config, GatewayOptions.defaults());
  }

  /**
   * Starts a gateway as {@link #start(JsonObject)} does, with its clock, random source, timers
   * and request-header timeout from {@code options}.
   */
  public static TestGateway start(JsonObject config, GatewayOptions options) {
    JsonObject c = withTestDefaults(config);
    GatewayConfig parsed;
    try {
      parsed = ConfigFiles.parse(c.encode(), options.env());
    } catch (io.portcullis.config.ConfigException e) {
      throw new AssertionError("test config invalid:\n" + e.getMessage(), e);
    }
    return new TestGateway(Await.result(Gateway.start(parsed, false, null, options)));
  }

  /**
   * As {@link #start(JsonObject)}, with {@code env} as the process environment (substitution in
   * the configuration, tracing's OpenTelemetry variables) in place of the real one.
   */
  public static TestGateway start(JsonObject config, Function<String, String> env) {
    return start(config, GatewayOptions.defaults().withEnv(env));
  }

  /**
   * As {@link #startFromFile(Path)}, with {@code env} as the process environment, read at start
   * and at each reload.
   */
  public static TestGateway startFromFile(Path file, Function<String, String> env) {
    GatewayConfig parsed;
    try {
      parsed = ConfigFiles.load(file, env);
    } catch (io.portcullis.config.ConfigException | IOException e) {
      throw new AssertionError("test config file invalid:\n" + e.getMessage(), e);
    }
    return new TestGateway(Await.result(Gateway.start(parsed, false, file, GatewayOptions.defaults().withEnv(env))));
  }

  /**
   * Starts a gateway from the configuration file {@code file}, which it reloads (on
   * {@code POST /admin/reload} and, per its {@code reload} section, when it changes). Write the
   * file with {@link #withTestDefaults} for random ports.
   */
  public static TestGateway startFromFile(Path file) {
    GatewayConfig parsed;
    try {
      parsed = ConfigFiles.load(file);
    } catch (io.portcullis.config.ConfigException | IOException e) {
      throw new AssertionError("test config file invalid:\n" + e.getMessage(), e);
    }
    return new TestGateway(Await.result(Gateway.start(parsed, false, file)));
  }

  /**
   * {@code config} with the test defaults of {@link #start}: server and admin on port 0 of
   * loopback, two instances, no drain, a 2 s grace, no access log (unless given).
   */
  public static JsonObject withTestDefaults(JsonObject config) {
    JsonObject c = config.copy();
    JsonObject server = c.getJsonObject("server", new JsonObject());
    server.put("port", 0).put("host", "127.0.0.1");
    if (!server.containsKey("instances")) {
      server.put("instances", 2);
    }
    c.put("server", server);
    JsonObject admin = c.getJsonObject("admin", new JsonObject());
    admin.put("port", 0).put("host", "127.0.0.1");
    c.put("admin", admin);
    JsonObject shutdown = c.getJsonObject("shutdown", new JsonObject());
    if (!shutdown.containsKey("drainMs")) {
      shutdown.put("drainMs", 0);
    }
    if (!shutdown.containsKey("graceMs")) {
      shutdown.put("graceMs", 2000);
    }
    c.put("shutdown", shutdown);
    if (!c.containsKey("accessLog")) {
      c.put("accessLog", new JsonObject().put("enabled", false));
    }
    return c;
  }

  /** A one-upstream, one-route config: {@code pathPrefix "/"} to the given endpoints. */
  public static JsonObject proxyConfig(String upstreamJsonExtra, int... ports) {
    io.vertx.core.json.JsonArray endpoints = new io.vertx.core.json.JsonArray();
    for (int p : ports) {
      endpoints.add("http://127.0.0.1:" + p);
    }
    JsonObject upstream = new JsonObject().put("endpoints", endpoints);
    if (upstreamJsonExtra != null && !upstreamJsonExtra.isBlank()) {
      upstream.mergeIn(new JsonObject(upstreamJsonExtra), true);
    }
    return new JsonObject()
        .put("upstreams", new JsonObject().put("backend", upstream))
        .put("routes", new io.vertx.core.json.JsonArray().add(new JsonObject()
            .put("name", "all").put("match", new JsonObject().put("pathPrefix", "/")).put("upstream", "backend")));
  }

  /** The main port. */
  public int port() {
    return gateway.port();
  }

  /** The admin port. */
  public int adminPort() {
    return gateway.adminPort();
  }

  /** The running gateway. */
  public Gateway gateway() {
    return gateway;
  }

  /** Base URL of the main port. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Graceful shutdown then close, waiting for both. */
  @Override
  public void close() {
    Await.result(gateway.shutdown(), 60_000);
    Await.result(gateway.closeVertx(), 20_000);
  }
}
