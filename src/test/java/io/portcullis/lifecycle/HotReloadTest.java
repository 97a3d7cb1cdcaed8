package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload end to end, on real sockets: a gateway started from a file, real backends, and the
 * three in-process triggers ({@code POST /admin/reload}, a rewritten file, a ConfigMap-style
 * symlink swap). Reloads swap routes and upstreams between requests without failing any, keep the
 * running configuration when the file is bad, keep the state of what did not change, and refuse
 * listener changes with a warning.
 */
class HotReloadTest {

  private static final String RELOADS = "portcullis_config_reloads_total";
  private static final Map<String, String> SUCCESS = Map.of("result", "success");
  private static final Map<String, String> FAILURE = Map.of("result", "failure");

  @TempDir
  Path dir;

  private final HttpClient admin = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void reloadUnderSteadyLoadFailsNoRequestAndTheNewRouteAnswersAfterEachSwap() throws Exception {
    // Backends answer after a few milliseconds, so requests are in flight at every swap.
    FakeBackend a = harness.backend(req -> delayed(req, "a"));
    FakeBackend b = harness.backend(req -> delayed(req, "b"));
    // Two configurations routing the same path to two different upstreams: each swap removes one
    // upstream (its connection pools close once drained) and adds the other.
    JsonObject toA = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/", "a")), false);
    JsonObject toB = config(new JsonObject().put("b", upstream(b.port())), new JsonArray().add(route("svc", "/", "b")), false);
    Path file = dir.resolve("gateway.json");
    write(file, toA);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient fresh = harness.add(GatewayClient.create(false));
    GatewayClient pooled = harness.add(GatewayClient.create(true));
    GatewayClient probe = harness.add(GatewayClient.create(true));

    List<String> failures = new CopyOnWriteArrayList<>();
    Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    AtomicReference<Checkpoint> progress = new AtomicReference<>();
    VertxTestContext flowing = expectReplies(progress, 50);
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      GatewayClient client = i % 2 == 0 ? fresh : pooled;
      Promise<Void> done = Promise.promise();
      workers.add(done.future());
      loop(client, gateway.port(), stop, done, reply -> {
        if (reply.failed()) {
          failures.add("transport failure: " + reply.cause());
        } else if (reply.result().status() != 200 || !List.of("a", "b").contains(reply.result().body())) {
          failures.add(reply.result().toString());
        } else {
          bodies.computeIfAbsent(reply.result().body(), k -> new AtomicInteger()).incrementAndGet();
        }
        answered.incrementAndGet();
        progress.get().flag();
      });
    }

    Await.completion(flowing, 20_000, "load is flowing");
    for (int swap = 1; swap <= 6; swap++) {
      boolean toBackendB = swap % 2 == 1;
      write(file, toBackendB ? toB : toA);
      Reload reload = postReload(gateway.adminPort());
      assertThat(reload.status()).as("reload %d: %s", swap, reload.body()).isEqualTo(200);
      assertThat(reload.json().getString("result")).isEqualTo("applied");
      assertThat(probe.get(gateway.port(), "/after-swap").body())
          .as("a request started after reload %d completed goes to the new upstream", swap)
          .isEqualTo(toBackendB ? "b" : "a");
      VertxTestContext more = expectReplies(progress, 30);
      Await.completion(more, 20_000, "load keeps flowing after reload " + swap);
    }
    stop.set(true);
    Await.result(Future.join(new ArrayList<>(workers)), 30_000);

    assertThat(failures).as("responses other than 200 from a or b").isEmpty();
    assertThat(answered.get()).isGreaterThanOrEqualTo(50 + 6 * 30);
    assertThat(bodies.keySet()).as("both configurations served").containsExactlyInAnyOrder("a", "b");
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, SUCCESS)).isEqualTo(6.0);
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, FAILURE)).isZero();
  }

  @Test
  void anInvalidOrUnreadableFileKeepsTheRunningConfigurationAndAnswers400WithEveryError() throws Exception {
    FakeBackend a = harness.okBackend("a");
    Path file = dir.resolve("gateway.json");
    JsonObject valid = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/", "a")), false);
    write(file, valid);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();

    JsonObject invalid = valid.copy();
    invalid.getJsonObject("upstreams").getJsonObject("a").put("retry", new JsonObject().put("maxAttempts", 0));
    invalid.getJsonArray("routes").getJsonObject(0).put("upstream", "nope");
    write(file, invalid);
    Reload rejected = postReload(gateway.adminPort());
    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.json().getString("result")).isEqualTo("failed");
    List<String> errors = rejected.json().getJsonArray("errors").stream().map(String::valueOf).toList();
    assertThat(errors).contains("routes[0].upstream: unknown upstream \"nope\"");
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("upstreams.a.retry.maxAttempts: "));
    assertThat(client.get(gateway.port(), "/still").body()).as("the old route still answers").isEqualTo("a");

    Files.writeString(file, "{ \"routes\": [", StandardCharsets.UTF_8);
    Reload notJson = postReload(gateway.adminPort());
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().getJsonArray("errors").getString(0)).startsWith("$: invalid JSON: ");

    Files.delete(file);
    Reload missing = postReload(gateway.adminPort());
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getJsonArray("errors").getString(0))
        .isEqualTo("$: cannot read config file " + file + ": no such file");

    assertThat(client.get(gateway.port(), "/still").status()).isEqualTo(200);
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, FAILURE)).isEqualTo(3.0);
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, SUCCESS)).isZero();
    assertThat(new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes")).getJsonArray("routes")
        .getJsonObject(0).getString("upstream")).isEqualTo("a");
  }

  @Test
  void adminReloadAddsARouteAndAnUpstreamAndAnUnchangedFileIsANoOpSuccess() throws Exception {
    FakeBackend a = harness.okBackend("a");
    FakeBackend b = harness.okBackend("b");
    Path file = dir.resolve("gateway.json");
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/svc", "a")), false);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();
    assertThat(client.get(gateway.port(), "/extra").status()).as("no route yet").isEqualTo(404);

    JsonObject after = before.copy();
    after.getJsonObject("upstreams").put("b", upstream(b.port()));
    after.getJsonArray("routes").add(route("extra", "/extra", "b"));
    write(file, after);
    Reload applied = postReload(gateway.adminPort());
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
    JsonObject summary = applied.json();
    assertThat(summary.getString("result")).isEqualTo("applied");
    assertThat(summary.getJsonObject("routes").getJsonArray("added")).containsExactly("extra");
    assertThat(summary.getJsonObject("routes").getJsonArray("removed")).isEmpty();
    assertThat(summary.getJsonObject("routes").getJsonArray("changed")).isEmpty();
    assertThat(summary.getJsonObject("upstreams").getJsonArray("added")).containsExactly("b");
    assertThat(summary.getJsonArray("restartRequired")).isEmpty();

    assertThat(client.get(gateway.port(), "/extra/1").body()).isEqualTo("b");
    assertThat(client.get(gateway.port(), "/svc").body()).isEqualTo("a");
    JsonArray routes = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes")).getJsonArray("routes");
    assertThat(routes.stream().map(r -> ((JsonObject) r).getString("name")).toList()).containsExactly("svc", "extra");
    assertThat(AdminProbe.upstreams(gateway.adminPort()).fieldNames()).containsExactlyInAnyOrder("a", "b");
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, SUCCESS)).isEqualTo(1.0);

    Reload again = postReload(gateway.adminPort());
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("result")).isEqualTo("unchanged");
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, SUCCESS)).isEqualTo(2.0);
  }

  @Test
  void theFileWatchPicksUpAPlainRewrite() throws Exception {
    FakeBackend a = harness.okBackend("a");
    FakeBackend b = harness.okBackend("b");
    Path file = dir.resolve("gateway.json");
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/svc", "a")), true);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();

    JsonObject after = before.copy();
    after.getJsonObject("upstreams").put("b", upstream(b.port()));
    after.getJsonArray("routes").add(route("extra", "/extra", "b"));
    Files.writeString(file, after.encodePrettily(), StandardCharsets.UTF_8);

    AdminProbe.awaitCounter(gateway.adminPort(), RELOADS, SUCCESS, 1.0, 10_000);
    assertThat(client.get(gateway.port(), "/extra").body()).isEqualTo("b");
  }

  @Test
  void theFileWatchSeesAConfigMapStyleSymlinkSwap() throws Exception {
    FakeBackend a = harness.okBackend("a");
    FakeBackend b = harness.okBackend("b");
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/", "a")), true);
    JsonObject after = config(new JsonObject().put("b", upstream(b.port())), new JsonArray().add(route("svc", "/", "b")), true);
    // The layout of a Kubernetes ConfigMap volume: gateway.json -> ..data/gateway.json,
    // ..data -> ..<timestamp>; an update writes a new timestamped directory and renames a new
    // ..data link over the old one.
    Path first = Files.createDirectory(dir.resolve("..2026_11_27_08_00_00.000000001"));
    write(first.resolve("gateway.json"), before);
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("gateway.json"), Path.of("..data", "gateway.json"));
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();
    assertThat(client.get(gateway.port(), "/").body()).isEqualTo("a");

    Path second = Files.createDirectory(dir.resolve("..2026_11_27_08_05_00.000000002"));
    write(second.resolve("gateway.json"), after);
    Path newLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(newLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    AdminProbe.awaitCounter(gateway.adminPort(), RELOADS, SUCCESS, 1.0, 10_000);
    assertThat(client.get(gateway.port(), "/").body()).isEqualTo("b");
    assertThat(AdminProbe.counter(gateway.adminPort(), RELOADS, FAILURE)).isZero();
  }

  @Test
  void anUnchangedUpstreamKeepsItsOpenBreakerAndItsPooledConnection() throws Exception {
    FakeBackend failing = harness.backend(req -> req.response().setStatusCode(500).end("boom"));
    FakeBackend steady = harness.okBackend("steady");
    Path file = dir.resolve("gateway.json");
    JsonObject before = config(new JsonObject()
            .put("flaky", upstream(failing.port()).put("retry", new JsonObject().put("maxAttempts", 1))
                .put("circuitBreaker", new JsonObject().put("maxFailures", 1).put("resetTimeoutMs", 120_000)
                    .put("failureStatuses", new JsonArray().add(500))))
            .put("steady", upstream(steady.port())),
        new JsonArray().add(route("flaky", "/flaky", "flaky")).add(route("steady", "/steady", "steady")), false);
    // One event loop, so the second request to "steady" finds the pooled connection of the first.
    before.getJsonObject("server").put("instances", 1);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();

    assertThat(client.get(gateway.port(), "/flaky").status()).isEqualTo(500);
    AdminProbe.awaitCircuit(gateway.adminPort(), "flaky", 0, "open", 5_000);
    assertThat(client.get(gateway.port(), "/steady").body()).isEqualTo("steady");
    assertThat(steady.connections()).isEqualTo(1);

    // Something else changes: a new upstream and a new route.
    JsonObject after = before.copy();
    after.getJsonObject("upstreams").put("other", upstream(steady.port()));
    after.getJsonArray("routes").add(route("other", "/other", "other"));
    write(file, after);
    Reload reload = postReload(gateway.adminPort());
    assertThat(reload.status()).as(reload.body()).isEqualTo(200);
    assertThat(reload.json().getJsonObject("upstreams").getJsonArray("changed")).isEmpty();

    assertThat(AdminProbe.circuit(gateway.adminPort(), "flaky", 0)).isEqualTo("open");
    GatewayClient.Reply refused = client.get(gateway.port(), "/flaky");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.errorCode()).isEqualTo("circuit_open");
    assertThat(failing.requests()).as("the open breaker kept the failing backend out of reach").isEqualTo(1);
    assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_circuit_state",
        Map.of("upstream", "flaky"))).isEqualTo(1.0);

    assertThat(client.get(gateway.port(), "/steady").body()).isEqualTo("steady");
    assertThat(steady.connections()).as("the pooled connection to the unchanged upstream was reused").isEqualTo(1);
    assertThat(steady.requests()).isEqualTo(2);
  }

  @Test
  void aChangedUpstreamKeepsTheBreakerOfAnEndpointItStillHas() throws Exception {
    FakeBackend failing = harness.backend(req -> req.response().setStatusCode(500).end("boom"));
    FakeBackend healthy = harness.okBackend("healthy");
    Path file = dir.resolve("gateway.json");
    JsonObject flaky = upstream(failing.port()).put("retry", new JsonObject().put("maxAttempts", 1))
        .put("circuitBreaker", new JsonObject().put("maxFailures", 1).put("resetTimeoutMs", 120_000)
            .put("failureStatuses", new JsonArray().add(500)));
    JsonObject before = config(new JsonObject().put("flaky", flaky), new JsonArray().add(route("flaky", "/", "flaky")), false);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();
    assertThat(client.get(gateway.port(), "/").status()).isEqualTo(500);
    AdminProbe.awaitCircuit(gateway.adminPort(), "flaky", 0, "open", 5_000);

    JsonObject after = before.copy();
    after.getJsonObject("upstreams").getJsonObject("flaky").getJsonArray("endpoints").add("http://127.0.0.1:" + healthy.port());
    write(file, after);
    Reload reload = postReload(gateway.adminPort());
    assertThat(reload.status()).as(reload.body()).isEqualTo(200);
    assertThat(reload.json().getJsonObject("upstreams").getJsonArray("changed")).containsExactly("flaky");

    assertThat(AdminProbe.circuit(gateway.adminPort(), "flaky", 0)).as("kept breaker").isEqualTo("open");
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "flaky", 0).getLong("millisUntilHalfOpen"))
        .as("still in the open period it began before the reload").isGreaterThan(60_000L);
    assertThat(AdminProbe.circuit(gateway.adminPort(), "flaky", 1)).isEqualTo("closed");
    for (int i = 0; i < 4; i++) {
      assertThat(client.get(gateway.port(), "/").body()).as("only the new endpoint is open to traffic").isEqualTo("healthy");
    }
    assertThat(failing.requests()).isEqualTo(1);
  }

  @Test
  void aServerPortChangeIsRefusedWithAWarningAndTheRestIsApplied() throws Exception {
    FakeBackend a = harness.okBackend("a");
    Path file = dir.resolve("gateway.json");
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/svc", "a")), false);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();
    int port = gateway.port();

    JsonObject after = before.copy();
    after.getJsonObject("server").put("port", 18081);
    after.getJsonArray("routes").add(route("extra", "/extra", "a"));
    after.put("deadline", new JsonObject().put("defaultMs", 7000));
    write(file, after);

    Reload reload;
    List<ILoggingEvent> lines;
    try (LogCapture reloadLog = LogCapture.of("portcullis.reload")) {
      reload = postReload(gateway.adminPort());
      lines = reloadLog.events();
    }

    assertThat(reload.status()).as(reload.body()).isEqualTo(200);
    assertThat(reload.json().getString("result")).isEqualTo("applied");
    assertThat(reload.json().getJsonArray("restartRequired")).containsExactly("server.port: 0 -> 18081");
    assertThat(reload.json().getJsonArray("settings")).containsExactly("deadline");
    assertThat(lines).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("server.port: 0 -> 18081").contains("needs a restart"));
    assertThat(lines).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("config reload (admin) applied"));

    assertThat(gateway.port()).isEqualTo(port);
    assertThat(client.get(port, "/extra").body()).as("the rest was applied").isEqualTo("a");
    JsonObject routes = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes"));
    assertThat(routes.getJsonArray("routes").getJsonObject(0).getLong("timeoutMs")).isEqualTo(7000L);
    assertThat(gateway.gateway().runtime().config().server().port()).as("the running listener setting stays").isZero();
  }

  @Test
  void routeBreakersNoRouteUsesAnyMoreDisappearFromTheUpstreamView() throws Exception {
    FakeBackend a = harness.okBackend("a");
    Path file = dir.resolve("gateway.json");
    JsonObject overriding = route("svc", "/", "a").put("circuitBreaker", new JsonObject().put("maxFailures", 2));
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(overriding), false);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    assertThat(AdminProbe.upstreams(gateway.adminPort()).getJsonObject("a").getJsonArray("routeBreakers")).hasSize(1);

    write(file, config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/", "a")), false));
    assertThat(postReload(gateway.adminPort()).status()).isEqualTo(200);

    assertThat(AdminProbe.upstreams(gateway.adminPort()).getJsonObject("a").containsKey("routeBreakers")).isFalse();
  }

  @Test
  void activeHealthChecksAndReadinessFollowTheReloadedUpstreams() throws Exception {
    FakeBackend a = harness.okBackend("a");
    VertxTestContext healthChecks = new VertxTestContext();
    Checkpoint probed = healthChecks.laxCheckpoint(2); // probes go on every 100 ms
    FakeBackend checked = harness.backend(req -> {
      if (req.path().equals("/health")) {
        probed.flag();
      }
      req.response().end("ok");
    });
    Path file = dir.resolve("gateway.json");
    JsonObject before = config(new JsonObject().put("a", upstream(a.port())), new JsonArray().add(route("svc", "/", "a")), false);
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    GatewayClient client = harness.client();

    JsonObject after = before.copy();
    after.getJsonObject("upstreams").put("checked", upstream(checked.port())
        .put("healthCheck", new JsonObject().put("path", "/health").put("intervalMs", 100).put("timeoutMs", 50)));
    after.getJsonArray("routes").add(0, route("checked", "/checked", "checked"));
    write(file, after);
    assertThat(postReload(gateway.adminPort()).status()).isEqualTo(200);

    Await.completion(healthChecks, 10_000, "the new upstream is health-checked");
    GatewayClient.Reply ready = client.get(gateway.port(), "/healthz/ready");
    assertThat(ready.json().getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")).toList())
        .containsExactlyInAnyOrder("lifecycle", "upstream:a", "upstream:checked");
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "checked", 0).getString("health")).isIn("unknown", "healthy");
  }

  // ---------------------------------------------------------------- helpers

  private static void delayed(io.vertx.core.http.HttpServerRequest req, String body) {
    Vertx.currentContext().owner().setTimer(3, id -> req.response().end(body));
  }

  /**
   * A context that completes once {@code replies} more replies have been recorded through
   * {@code progress} (lax: the load goes on after that).
   */
  private static VertxTestContext expectReplies(AtomicReference<Checkpoint> progress, int replies) {
    VertxTestContext phase = new VertxTestContext();
    progress.set(phase.laxCheckpoint(replies));
    return phase;
  }

  /** Sends GETs one after another on {@code client} until {@code stop}; completes {@code done} then. */
  private static void loop(GatewayClient client, int port, AtomicBoolean stop, Promise<Void> done,
                           java.util.function.Consumer<io.vertx.core.AsyncResult<GatewayClient.Reply>> record) {
    if (stop.get()) {
      done.complete();
      return;
    }
    client.send(HttpMethod.GET, port, "/load", null).onComplete(ar -> {
      record.accept(ar);
      loop(client, port, stop, done, record);
    });
  }

  private static JsonObject config(JsonObject upstreams, JsonArray routes, boolean watch) {
    return TestGateway.withTestDefaults(new JsonObject()
        .put("upstreams", upstreams)
        .put("routes", routes)
        .put("reload", new JsonObject().put("watch", watch).put("pollMs", 100)));
  }

  private static JsonObject upstream(int port) {
    return new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + port));
  }

  private static JsonObject route(String name, String prefix, String upstream) {
    return new JsonObject().put("name", name).put("match", new JsonObject().put("pathPrefix", prefix))
        .put("upstream", upstream);
  }

  /** Replaces {@code file} in one rename, as an editor or a deployment tool would. */
  private static void write(Path file, JsonObject config) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, config.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private record Reload(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Reload postReload(int adminPort) throws Exception {
    HttpResponse<String> response = admin.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/reload"))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    return new Reload(response.statusCode(), response.body());
  }
}
