package io.portcullis.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README "Endpoints" end to end on real sockets: liveness, readiness and the admin views
 * ({@code /metrics}, {@code /admin/upstreams}, {@code /admin/routes}).
 */
class HealthIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT)
      .build();
  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();


  // ---------------------------------------------------------------- liveness

  @Test
  void liveIsUpOnMainAndAdminPortsEvenWhenEveryUpstreamIsDown() throws Exception {
    int closedPort = harness.refusedPort();
    TestGateway gateway = harness.start(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":1},\"circuitBreaker\":{\"maxFailures\":1,\"resetTimeoutMs\":60000}}",
        closedPort));

    // The only upstream is unreachable: proxied traffic fails, its breaker opens...
    assertThat(get(gateway.url("/anything")).statusCode()).isEqualTo(502);
    pollUntil(() -> upstreamCheck(get(readyUrl(gateway.adminPort()))), check -> "DOWN".equals(check.getString("status")),
        "the upstream check to report the dead upstream");

    // ...and liveness does not care.
    for (int port : new int[] {gateway.port(), gateway.adminPort()}) {
      HttpResponse<String> live = get(liveUrl(port));
      assertThat(live.statusCode()).as("live on port %d", port).isEqualTo(200);
      assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    }
  }

  @Test
  void liveStaysUpOnBothPortsWhileShuttingDown() throws Exception {
    FakeBackend backend = harness.okBackend("hello");
    TestGateway gateway = harness.start(withShutdown(TestGateway.proxyConfig(null, backend.port()), 3000, 5000));

    Future<Void> shutdown = gateway.gateway().shutdown();

    for (int port : new int[] {gateway.port(), gateway.adminPort()}) {
      HttpResponse<String> live = get(liveUrl(port));
      assertThat(live.statusCode()).as("live on port %d during the drain", port).isEqualTo(200);
      assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    }
    assertThat(shutdown.isComplete()).as("still draining when liveness was checked").isFalse();
  }

  // ---------------------------------------------------------------- readiness

  @Test
  void readyIsUpWithAChecksArrayOnMainAndAdminPorts() throws Exception {
    FakeBackend backend = harness.okBackend("hello");
    TestGateway gateway = harness.start(TestGateway.proxyConfig(null, backend.port()));

    for (int port : new int[] {gateway.port(), gateway.adminPort()}) {
      HttpResponse<String> ready = get(readyUrl(port));
      assertThat(ready.statusCode()).as("ready on port %d", port).isEqualTo(200);
      assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(
          ct -> assertThat(ct).startsWith("application/json"));
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("UP");
      assertThat(body.getValue("checks")).isInstanceOf(JsonArray.class);
      assertThat(body.getJsonArray("checks")).isNotEmpty();
    }
    assertThat(backend.requests()).as("readiness never calls an upstream").isZero();
  }

  @Test
  void anUpstreamWithAnOpenBreakerIsListedInChecksButReadinessStaysUp() throws Exception {
    int closedPort = harness.refusedPort();
    TestGateway gateway = harness.start(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":1},\"circuitBreaker\":{\"maxFailures\":1,\"resetTimeoutMs\":60000}}",
        closedPort));

    assertThat(get(gateway.url("/x")).statusCode()).isEqualTo(502);
    pollUntil(() -> gateway.gateway().runtime().upstreams().get("backend").defaultBreakers().breaker(0).state(),
        state -> state == io.portcullis.upstream.EndpointBreaker.State.OPEN, "the breaker to open");
    assertThat(get(gateway.url("/x")).statusCode()).as("breaker open: circuit_open").isEqualTo(503);

    for (int port : new int[] {gateway.port(), gateway.adminPort()}) {
      HttpResponse<String> ready = get(readyUrl(port));
      assertThat(ready.statusCode()).as("ready on port %d with a dead upstream", port).isEqualTo(200);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("UP");
      JsonObject check = upstreamCheck(ready);
      assertThat(check).as("checks lists the upstream: %s", body.encodePrettily()).isNotNull();
      assertThat(check.encode()).contains("127.0.0.1:" + closedPort).contains("\"open\"");
    }
  }

  @Test
  void readyTurnsDownOnBothPortsTheMomentShutdownIsCalledWhileRequestsAreStillServed() throws Exception {
    FakeBackend backend = harness.okBackend("hello");
    TestGateway gateway = harness.start(withShutdown(TestGateway.proxyConfig(null, backend.port()), 3000, 5000));
    assertThat(get(readyUrl(gateway.port())).statusCode()).isEqualTo(200);

    Future<Void> shutdown = gateway.gateway().shutdown();

    for (int port : new int[] {gateway.port(), gateway.adminPort()}) {
      HttpResponse<String> ready = get(readyUrl(port));
      assertThat(ready.statusCode()).as("ready on port %d right after shutdown()", port).isEqualTo(503);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("DOWN");
    }
    // Still draining: proxied requests are served.
    HttpResponse<String> proxied = get(gateway.url("/still-serving"));
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEqualTo("hello");
    assertThat(shutdown.isComplete()).as("still draining when readiness was checked").isFalse();
  }

  @Test
  void aCatchAllRouteNeverReceivesTheHealthPaths() throws Exception {
    FakeBackend backend = harness.okBackend("from-backend");
    TestGateway gateway = harness.start(TestGateway.proxyConfig(null, backend.port()));

    HttpResponse<String> live = get(liveUrl(gateway.port()));
    HttpResponse<String> ready = get(readyUrl(gateway.port()));

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("UP");
    assertThat(backend.seen()).as("the backend saw no health request").isEmpty();

    // The catch-all route itself works.
    assertThat(get(gateway.url("/healthz")).body()).isEqualTo("from-backend");
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/healthz");
  }

  // ---------------------------------------------------------------- admin: metrics

  @Test
  void metricsExposeRequestCountsDurationsAttemptsAndCircuitState() throws Exception {
    FakeBackend backend = harness.okBackend("hello");
    TestGateway gateway = harness.start(TestGateway.proxyConfig(null, backend.port()));

    assertThat(get(gateway.url("/m")).statusCode()).isEqualTo(200);

    String metrics = pollUntil(() -> get(adminUrl(gateway, "/metrics")).body(),
        text -> sample(text, "portcullis_requests_total", "route=\"all\"", "status=\"200\"") >= 1,
        "portcullis_requests_total{route=\"all\",status=\"200\"} to count the request");
    assertThat(sample(metrics, "portcullis_requests_total", "route=\"all\"", "status=\"200\"")).isEqualTo(1.0);
    assertThat(metrics).contains("portcullis_request_duration_seconds_bucket");
    assertThat(sample(metrics, "portcullis_request_duration_seconds_count", "route=\"all\"")).isEqualTo(1.0);
    assertThat(sample(metrics, "portcullis_upstream_attempts_total", "upstream=\"backend\"")).isGreaterThanOrEqualTo(1.0);
    assertThat(sample(metrics, "portcullis_circuit_state", "upstream=\"backend\"",
        "endpoint=\"http://127.0.0.1:" + backend.port() + "\"")).isEqualTo(0.0);
  }

  @Test
  void metricsExposeTheJvmMetersOfEveryBinderOnceStarted() throws Exception {
    TestGateway gateway = harness.start(TestGateway.proxyConfig(null, harness.okBackend("hello").port()));

    String metrics = get(adminUrl(gateway, "/metrics")).body();
    // One meter of each binder: class loading, JIT, GC (pauses, and the heap after a collection),
    // JVM info, memory, threads, processor and uptime (README "Endpoints": "plus JVM metrics").
    for (String meter : List.of("jvm_classes_loaded_classes", "jvm_compilation_time_ms_total",
        "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "jvm_memory_used_after_gc_bytes", "jvm_info",
        "jvm_memory_used_bytes",
        "jvm_threads_live_threads", "system_cpu_count", "process_uptime_seconds")) {
      assertThat(metrics).as("/metrics has %s", meter).containsPattern("(?m)^" + meter + "[{ ]");
    }
  }

  @Test
  void metricsCountARetryAfterAn503() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FakeBackend backend = harness.backend(req -> {
      if (calls.incrementAndGet() == 1) {
        req.response().setStatusCode(503).end("busy");
      } else {
        req.response().end("ok");
      }
    });
    TestGateway gateway = harness.start(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":1,\"maxDelayMs\":5}}", backend.port()));

    HttpResponse<String> response = get(gateway.url("/retry-me"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(backend.requests()).isEqualTo(2);

    String metrics = get(adminUrl(gateway, "/metrics")).body();
    assertThat(sample(metrics, "portcullis_retries_total", "upstream=\"backend\"")).isEqualTo(1.0);
    assertThat(sample(metrics, "portcullis_upstream_attempts_total", "upstream=\"backend\"")).isEqualTo(2.0);
  }

  // ---------------------------------------------------------------- admin: upstreams

  @Test
  void adminUpstreamsListsEveryEndpointWithCircuitInFlightFailuresAndHealth() throws Exception {
    Promise<HeldRequest> held = Promise.promise();
    FakeBackend first = harness.backend(req -> held.tryComplete(new HeldRequest(req.localAddress().port(), req)));
    FakeBackend second = harness.backend(req -> held.tryComplete(new HeldRequest(req.localAddress().port(), req)));
    TestGateway gateway = harness.start(TestGateway.proxyConfig(null, first.port(), second.port()));

    JsonObject idle = new JsonObject(get(adminUrl(gateway, "/admin/upstreams")).body());
    JsonArray endpoints = idle.getJsonObject("backend").getJsonArray("endpoints");
    assertThat(endpoints).hasSize(2);
    for (int port : new int[] {first.port(), second.port()}) {
      JsonObject e = endpoint(idle, port);
      assertThat(e).as("endpoint on port %d listed in %s", port, idle.encodePrettily()).isNotNull();
      assertThat(e.getString("circuit")).isEqualTo("closed");
      assertThat(e.getInteger("inFlight")).isZero();
      assertThat(e.getValue("recentFailures")).isInstanceOf(Number.class);
      assertThat(((Number) e.getValue("recentFailures")).longValue()).isZero();
      assertThat(e.getValue("health")).isInstanceOf(String.class);
    }

    // A request held by one endpoint shows up as in flight there, and only there.
    CompletableFuture<HttpResponse<String>> pending = getAsync(gateway.url("/hold"));
    HeldRequest request = Await.result(held.future(), 10_000);
    int busyPort = request.port();
    int idlePort = busyPort == first.port() ? second.port() : first.port();
    JsonObject busy = pollUntil(() -> new JsonObject(get(adminUrl(gateway, "/admin/upstreams")).body()),
        json -> endpoint(json, busyPort).getInteger("inFlight") == 1, "the held request to be in flight");
    assertThat(endpoint(busy, idlePort).getInteger("inFlight")).isZero();

    FakeBackend owner = busyPort == first.port() ? first : second;
    owner.vertx().runOnContext(v -> request.request().response().end("released"));
    assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    pollUntil(() -> new JsonObject(get(adminUrl(gateway, "/admin/upstreams")).body()),
        json -> endpoint(json, busyPort).getInteger("inFlight") == 0, "in-flight to drop back to 0");
  }

  private record HeldRequest(int port, HttpServerRequest request) {
  }

  @Test
  void adminUpstreamsShowsAnOpenBreakerWithItsFailures() throws Exception {
    int closedPort = harness.refusedPort();
    TestGateway gateway = harness.start(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":1},\"circuitBreaker\":{\"maxFailures\":2,\"resetTimeoutMs\":60000}}",
        closedPort));

    assertThat(get(gateway.url("/a")).statusCode()).isEqualTo(502);
    JsonObject oneFailure = pollUntil(() -> new JsonObject(get(adminUrl(gateway, "/admin/upstreams")).body()),
        json -> ((Number) endpoint(json, closedPort).getValue("recentFailures")).longValue() == 1,
        "recentFailures to count the connect failure");
    assertThat(endpoint(oneFailure, closedPort).getString("circuit")).isEqualTo("closed");

    assertThat(get(gateway.url("/b")).statusCode()).isEqualTo(502);
    pollUntil(() -> new JsonObject(get(adminUrl(gateway, "/admin/upstreams")).body()),
        json -> "open".equals(endpoint(json, closedPort).getString("circuit")), "the breaker to show open");
  }

  // ---------------------------------------------------------------- admin: routes

  @Test
  void adminRoutesShowsEachRoutesEffectivePolicyAfterOverrides() throws Exception {
    FakeBackend backend = harness.okBackend("x");
    JsonObject config = new JsonObject()
        .put("deadline", new JsonObject().put("defaultMs", 7000))
        .put("upstreams", new JsonObject().put("backend", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()))
            .put("retry", new JsonObject().put("maxAttempts", 3))
            .put("circuitBreaker", new JsonObject().put("maxFailures", 4))))
        .put("routes", new JsonArray()
            .add(new JsonObject().put("name", "strict")
                .put("match", new JsonObject().put("pathPrefix", "/strict"))
                .put("upstream", "backend")
                .put("timeoutMs", 1234)
                .put("retry", new JsonObject().put("maxAttempts", 1))
                .put("circuitBreaker", new JsonObject().put("maxFailures", 9)))
            .add(new JsonObject().put("name", "plain")
                .put("match", new JsonObject().put("pathPrefix", "/"))
                .put("upstream", "backend")));
    TestGateway gateway = harness.start(config);

    HttpResponse<String> response = get(adminUrl(gateway, "/admin/routes"));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    JsonObject strict = route(body, "strict");
    JsonObject plain = route(body, "plain");

    assertThat(strict.getLong("timeoutMs")).isEqualTo(1234L);
    assertThat(plain.getLong("timeoutMs")).as("no route timeout: deadline.defaultMs").isEqualTo(7000L);

    JsonObject strictPolicy = effective(strict, "backend");
    JsonObject plainPolicy = effective(plain, "backend");
    assertThat(strictPolicy.getJsonObject("retry").getInteger("maxAttempts")).isEqualTo(1);
    assertThat(plainPolicy.getJsonObject("retry").getInteger("maxAttempts")).isEqualTo(3);
    assertThat(strictPolicy.getJsonObject("circuitBreaker").getInteger("maxFailures")).isEqualTo(9);
    assertThat(plainPolicy.getJsonObject("circuitBreaker").getInteger("maxFailures")).isEqualTo(4);
    // Defaults are filled in, not left out.
    assertThat(plainPolicy.getJsonObject("retry").getLong("baseDelayMs")).isEqualTo(25L);
    assertThat(plainPolicy.getJsonObject("circuitBreaker").getLong("resetTimeoutMs")).isEqualTo(5000L);
    assertThat(strictPolicy.getJsonObject("retry").getLong("baseDelayMs"))
        .as("fields a route does not override come from its upstream").isEqualTo(25L);
  }

  // ---------------------------------------------------------------- helpers

  private static JsonObject withShutdown(JsonObject config, long drainMs, long graceMs) {
    return config.put("shutdown", new JsonObject().put("drainMs", drainMs).put("graceMs", graceMs));
  }

  private static String liveUrl(int port) {
    return "http://127.0.0.1:" + port + "/healthz/live";
  }

  private static String readyUrl(int port) {
    return "http://127.0.0.1:" + port + "/healthz/ready";
  }

  private static String adminUrl(TestGateway gateway, String path) {
    return "http://127.0.0.1:" + gateway.adminPort() + path;
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String url) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code upstream:backend} entry of a readiness response's checks, or null. */
  private static JsonObject upstreamCheck(HttpResponse<String> ready) {
    JsonArray checks = new JsonObject(ready.body()).getJsonArray("checks");
    if (checks == null) {
      return null;
    }
    for (Object o : checks) {
      if (o instanceof JsonObject check && check.encode().contains("backend")) {
        return check;
      }
    }
    return null;
  }

  /** The {@code /admin/upstreams} entry of the endpoint on {@code port}, or null. */
  private static JsonObject endpoint(JsonObject upstreams, int port) {
    JsonArray endpoints = upstreams.getJsonObject("backend").getJsonArray("endpoints");
    for (Object o : endpoints) {
      JsonObject e = (JsonObject) o;
      if (e.getString("endpoint", "").endsWith(":" + port)) {
        return e;
      }
    }
    return null;
  }

  private static JsonObject route(JsonObject routes, String name) {
    for (Object o : routes.getJsonArray("routes")) {
      JsonObject r = (JsonObject) o;
      if (name.equals(r.getString("name"))) {
        return r;
      }
    }
    throw new AssertionError("route " + name + " not listed in " + routes.encodePrettily());
  }

  private static JsonObject effective(JsonObject route, String upstream) {
    JsonObject effective = route.getJsonObject("effective");
    assertThat(effective).as("effective policies of %s", route.encodePrettily()).isNotNull();
    JsonObject policy = effective.getJsonObject(upstream);
    assertThat(policy).as("effective policy for upstream %s in %s", upstream, route.encodePrettily()).isNotNull();
    return policy;
  }

  /**
   * The value of the Prometheus sample {@code name} whose labels contain every one of
   * {@code labels} (each {@code key="value"}), summed over matching series; -1 when none matches.
   */
  private static double sample(String metrics, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(metrics);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      String labelText = m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= labelText.contains(label);
      }
      if (all) {
        found = true;
        sum += Double.parseDouble(m.group(2));
      }
    }
    return found ? sum : -1;
  }

  @FunctionalInterface
  private interface Probe<T> {
    T get() throws Exception;
  }

  /** Polls {@code probe} until {@code done} holds, for at most 10 s. */
  private static <T> T pollUntil(Probe<T> probe, Predicate<T> done, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (last != null && done.test(last)) {
        return last;
      }
      Thread.sleep(20);
    }
    return fail("timed out waiting for " + what + "; last seen: " + last);
  }
}
