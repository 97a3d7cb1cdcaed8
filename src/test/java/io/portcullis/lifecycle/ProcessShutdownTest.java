package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.ChildJvm;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line in a child JVM ({@code java -cp <test classpath> io.portcullis.Main}, so
 * it runs in {@code mvn verify} before {@code package}): SIGTERM runs the graceful shutdown and
 * exits 0, a second signal exits at once, stdout carries the JSON access log without
 * credentials (README "Command line", "Signals and shutdown" and "Logs"), and SIGHUP reloads the configuration file.
 */
class ProcessShutdownTest {

  private static final String TOKEN = "s3cr3t-token";
  private static final String COOKIE = "c00kie-value";
  /** The line the gateway logs once it serves: its main and admin ports as bound. */
  private static final Pattern READY_LINE =
      Pattern.compile("portcullis ready: listening on 127\\.0\\.0\\.1:(\\d+) with .*admin on 127\\.0\\.0\\.1:(\\d+),");
  private static final List<String> ACCESS_LOG_FIELDS = List.of(
      "ts", "requestId", "method", "path", "route", "status", "durationMs", "upstream", "attempts", "traceId");

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  @RegisterExtension
  final Closer toClose = new Closer();
  private Process process;
  private Path stdout;
  private Path stderr;
  private Path loadedClasses;

  @AfterEach
  void cleanUp() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermFinishesTheInFlightRequestLogsEveryPhaseAndExits0() throws Exception {
    VertxTestContext slowRequest = new VertxTestContext();
    Checkpoint slowArrived = slowRequest.checkpoint();
    FakeBackend backend = FakeBackend.start(req -> {
      if (req.path().startsWith("/slow")) {
        slowArrived.flag();
        Vertx.currentContext().owner().setTimer(1000, id -> req.response().end("slow-done"));
      } else {
        req.response().end("fast-done");
      }
    });
    toClose.add(backend);
    Ports ports = startGateway(backend.port(), 300, 3000);

    HttpResponse<String> fast = http.send(withSecrets(ports.url("/fast")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(fast.statusCode()).isEqualTo(200);
    assertThat(fast.body()).isEqualTo("fast-done");

    CompletableFuture<HttpResponse<String>> slow = http.sendAsync(withSecrets(ports.url("/slow")).build(),
        HttpResponse.BodyHandlers.ofString());
    Await.completion(slowRequest, 15_000, "the slow request reached the backend");

    process.toHandle().destroy(); // SIGTERM

    HttpResponse<String> slowResponse = slow.get(15, TimeUnit.SECONDS);
    assertThat(slowResponse.statusCode()).as("the in-flight request survives SIGTERM").isEqualTo(200);
    assertThat(slowResponse.body()).isEqualTo("slow-done");
    assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("the process exits within 15 s of SIGTERM").isTrue();
    assertThat(process.exitValue()).as("exit status; stderr:%n%s", read(stderr)).isZero();

    String err = read(stderr);
    int previous = -1;
    for (int phase = 1; phase <= 5; phase++) {
      int at = err.indexOf("shutdown phase " + phase + "/5");
      assertThat(at).as("stderr logs shutdown phase %d after phase %d", phase, phase - 1).isGreaterThan(previous);
      previous = at;
    }
    // The contract's phases, one line as each begins (CONTRACT §6).
    assertThat(err).contains("shutdown phase 1/5: readiness DOWN", "shutdown phase 2/5: serving for drainMs",
        "shutdown phase 3/5: drain over; no longer accepting connections", "shutdown phase 4/5: waiting up to graceMs",
        "shutdown phase 4/5: every in-flight request finished", "shutdown phase 5/5: undeploying every verticle");

    List<JsonObject> accessLog = new ArrayList<>();
    for (String line : read(stdout).split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject json;
      try {
        json = new JsonObject(line);
      } catch (DecodeException e) {
        throw new AssertionError("stdout line is not JSON: " + line, e);
      }
      assertThat(json.fieldNames()).as("access-log line %s", line).containsAll(ACCESS_LOG_FIELDS);
      accessLog.add(json);
    }
    assertThat(accessLog).as("access log of /fast and /slow").anySatisfy(line -> assertRequestLine(line, "/fast"));
    assertThat(accessLog).anySatisfy(line -> assertRequestLine(line, "/slow"));
    // Tracing is on, span export off (the defaults): the OpenTelemetry SDK is never loaded.
    String classes = read(loadedClasses);
    assertThat(classes).contains("io.portcullis.trace.Tracing ").doesNotContain("io.opentelemetry", "io.portcullis.trace.otlp");
    // Netty's JFR allocation events are off unless asked for (Main sets io.netty.jfr.enabled before
    // anything loads Netty): a proxied request initialises no JFR event.
    assertThat(classes).contains("io.netty.buffer.AdaptivePoolingAllocator ")
        .doesNotContain("io.netty.buffer.AllocateBufferEvent ", "jdk.jfr.internal.MetadataLoader ");

    for (String line : (read(stdout) + "\n" + err).split("\\R")) {
      assertThat(line).as("no log line carries a credential").doesNotContain(TOKEN).doesNotContain(COOKIE);
    }
  }

  @Test
  void aSecondSigtermDuringALongDrainEndsTheProcessAtOnceWithNonZeroStatus() throws Exception {
    FakeBackend backend = FakeBackend.ok("x");
    toClose.add(backend);
    Ports ports = startGateway(backend.port(), 10_000, 3000);

    process.toHandle().destroy(); // first SIGTERM: a 10 s drain begins
    waitForStderr("shutdown phase 1/5", Duration.ofSeconds(15));
    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(ports.url("/healthz/ready")))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).as("readiness is DOWN while draining").isEqualTo(503);

    long secondAt = System.nanoTime();
    process.toHandle().destroy(); // second SIGTERM
    assertThat(process.waitFor(6, TimeUnit.SECONDS)).as("the second signal ends the process at once").isTrue();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - secondAt);

    assertThat(tookMs).as("exit after the second signal, well inside the 10 s drain").isLessThan(6000);
    assertThat(process.exitValue()).as("a cut-short shutdown is not a clean exit").isNotZero();
    assertThat(read(stderr)).doesNotContain("shutdown phase 5/5");
  }

  @Test
  void sighupReloadsTheConfigurationFile() throws Exception {
    FakeBackend first = FakeBackend.ok("first");
    toClose.add(first);
    FakeBackend second = FakeBackend.ok("second");
    toClose.add(second);
    // No file watch: only the signal can make the gateway read the file again.
    JsonObject noWatch = new JsonObject().put("watch", false);
    Ports ports = startGateway(first.port(), 0, 3000, noWatch);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(ports.url("/x"))).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("first");

    JsonObject config = new JsonObject(Files.readString(dir.resolve("gateway.json"), StandardCharsets.UTF_8));
    config.getJsonObject("upstreams").getJsonObject("backend").put("endpoints",
        new JsonArray().add("http://127.0.0.1:" + second.port()));
    Files.writeString(dir.resolve("gateway.json"), config.encodePrettily(), StandardCharsets.UTF_8);
    Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0).as("kill -HUP sent").isTrue();

    waitForStderr("config reload (SIGHUP) applied", Duration.ofSeconds(15));
    assertThat(process.isAlive()).as("SIGHUP does not end the process").isTrue();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(ports.url("/x"))).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("second");
  }

  @Test
  void aGatewayStartedWithSighupIgnoredSaysThatSighupWillNotReload() throws Exception {
    FakeBackend backend = FakeBackend.ok("ok");
    toClose.add(backend);
    // nohup starts its command with SIGHUP ignored, which the JVM then leaves ignored.
    startGateway(backend.port(), 0, 3000, null, List.of("nohup"));

    waitForStderr("SIGHUP is ignored by this process", Duration.ofSeconds(15));
    assertThat(read(stderr)).contains("reload with POST /admin/reload or reload.watch instead");
    Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    assertThat(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0).as("kill -HUP sent").isTrue();
    Thread.sleep(500);
    assertThat(process.isAlive()).as("an ignored SIGHUP does not end the process").isTrue();
  }

  // ---------------------------------------------------------------- helpers

  private record Ports(int main, int admin) {
    String url(String path) {
      return "http://127.0.0.1:" + main + path;
    }
  }

  private static void assertRequestLine(JsonObject line, String path) {
    assertThat(line.getString("path")).isEqualTo(path);
    assertThat(line.getString("method")).isEqualTo("GET");
    assertThat(line.getString("route")).isEqualTo("all");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getString("upstream")).isEqualTo("backend");
    assertThat(line.getInteger("attempts")).isEqualTo(1);
    assertThat(line.getString("requestId")).isNotBlank();
    assertThat(line.getString("ts")).isNotBlank();
    assertThat(line.getLong("durationMs")).isNotNegative();
    assertThat(line.getString("traceId")).matches("[0-9a-f]{32}"); // tracing is on by default
  }

  private static HttpRequest.Builder withSecrets(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Cookie", "session=" + COOKIE);
  }

  /** Starts the gateway in a child JVM and waits until it is ready (at most 20 s). */
  private Ports startGateway(int backendPort, long drainMs, long graceMs) throws Exception {
    return startGateway(backendPort, drainMs, graceMs, null);
  }

  /** As {@link #startGateway(int, long, long)}, with a {@code reload} section when not null. */
  private Ports startGateway(int backendPort, long drainMs, long graceMs, JsonObject reload) throws Exception {
    // SIGHUP back to its default for the child even where this test runs with it ignored (under
    // nohup, say), which the child would inherit.
    return startGateway(backendPort, drainMs, graceMs, reload, List.of("env", "--default-signal=HUP"));
  }

  /** As above, the child's command line starting with {@code launcher} (a command that runs the rest). */
  private Ports startGateway(int backendPort, long drainMs, long graceMs, JsonObject reload, List<String> launcher)
      throws Exception {
    // Port 0 for both listeners: the child binds them itself and logs what it got, so no port
    // is chosen here and released for someone else to take before the child binds it.
    JsonObject config = new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2))
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("shutdown", new JsonObject().put("drainMs", drainMs).put("graceMs", graceMs))
        .put("accessLog", new JsonObject().put("enabled", true))
        .put("upstreams", new JsonObject().put("backend", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + backendPort))))
        .put("routes", new JsonArray().add(new JsonObject()
            .put("name", "all").put("match", new JsonObject().put("pathPrefix", "/")).put("upstream", "backend")));
    if (reload != null) {
      config.put("reload", reload);
    }
    Path configFile = dir.resolve("gateway.json");
    Files.writeString(configFile, config.encodePrettily(), StandardCharsets.UTF_8);
    stdout = dir.resolve("stdout.txt");
    stderr = dir.resolve("stderr.txt");

    String java = ChildJvm.java();
    loadedClasses = dir.resolve("classes.txt");
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of(java, "-Xlog:class+load=info:file=" + loadedClasses, "-cp", ChildJvm.classpath(),
        "io.portcullis.Main", "--config", configFile.toString()));
    process = new ProcessBuilder(command)
        .directory(new File(System.getProperty("user.dir")))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();

    // A child JVM with no class-data archive: on a loaded 2-core machine its start-up alone has
    // taken 11-34 s.
    Matcher ready = awaitStderr(READY_LINE, Duration.ofSeconds(60));
    Ports ports = new Ports(Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2)));
    HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(URI.create(ports.url("/healthz/ready")))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(readiness.statusCode()).as("readiness once the gateway logged that it is ready").isEqualTo(200);
    return ports;
  }

  /** Waits until stderr holds a match of {@code pattern} (the child logs there) and returns it. */
  private Matcher awaitStderr(Pattern pattern, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher matcher = pattern.matcher(read(stderr));
      if (matcher.find()) {
        return matcher;
      }
      if (!process.isAlive()) {
        fail("the gateway exited with %d before logging %s; stderr:%n%s", process.exitValue(), pattern, read(stderr));
      }
      Thread.sleep(50);
    }
    return fail("stderr did not show %s within %s; stderr:%n%s", pattern, within, read(stderr));
  }

  private void waitForStderr(String text, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (read(stderr).contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        fail("the gateway exited with %d before logging \"%s\"; stderr:%n%s", process.exitValue(), text, read(stderr));
      }
      Thread.sleep(50);
    }
    fail("stderr did not show \"%s\" within %s; stderr:%n%s", text, within, read(stderr));
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

}
