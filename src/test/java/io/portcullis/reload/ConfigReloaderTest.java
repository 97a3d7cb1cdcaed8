package io.portcullis.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloader against a recording target: what it installs, when a poll finds nothing, how it counts. */
class ConfigReloaderTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private SimpleMeterRegistry registry;
  private RecordingTarget target;
  private Path file;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new SimpleMeterRegistry();
    file = dir.resolve("gateway.json");
  }

  @AfterEach
  void tearDown() {
    Await.result(vertx.close());
  }

  @Test
  void afterPrimingAPollOfTheUnchangedFileDoesNothing() throws Exception {
    write(config("/a"));
    ConfigReloader reloader = reloader(parse(config("/a")));
    Await.result(reloader.prime());

    assertThat(Await.result(reloader.reloadIfChanged("file change"))).isNull();
    assertThat(target.installed).isEmpty();
    assertThat(count("success") + count("failure")).as("nothing counted").isZero();
  }

  @Test
  void aFileThatChangedDuringStartUpIsReloadedAtTheFirstPoll() throws Exception {
    write(config("/b"));
    ConfigReloader reloader = reloader(parse(config("/a")));
    Await.result(reloader.prime());

    ReloadOutcome outcome = Await.result(reloader.reloadIfChanged("file change"));
    assertThat(outcome.result()).isEqualTo(ReloadOutcome.Result.APPLIED);
    assertThat(target.installed).containsExactly(parse(config("/b")));
    assertThat(count("success")).isEqualTo(1.0);
  }

  @Test
  void primingWithTheLoadedBytesTakesThemAsTheFilesContentWithoutComparingConfigurations() throws Exception {
    // The target runs /b, but the caller says it was parsed from the file's bytes: they are taken as
    // they are (no parse, no comparison), so the first poll finds nothing new. Plain prime() would
    // have compared, and left the poll to reload /a.
    write(config("/a"));
    ConfigReloader reloader = reloader(parse(config("/b")));
    Await.result(reloader.prime(Files.readAllBytes(file)));

    assertThat(Await.result(reloader.reloadIfChanged("file change"))).isNull();
    assertThat(target.installed).isEmpty();
  }

  @Test
  void primingWithBytesTheFileNoLongerHoldsFallsBackToComparingConfigurations() throws Exception {
    write(config("/b"));
    ConfigReloader reloader = reloader(parse(config("/a")));
    Await.result(reloader.prime(config("/a").encode().getBytes(StandardCharsets.UTF_8)));

    ReloadOutcome outcome = Await.result(reloader.reloadIfChanged("file change"));
    assertThat(outcome.result()).isEqualTo(ReloadOutcome.Result.APPLIED);
    assertThat(target.installed).containsExactly(parse(config("/b")));
  }

  @Test
  void aBadFileIsReportedOnceByThePollAndCountedAsAFailure() throws Exception {
    write(config("/a"));
    ConfigReloader reloader = reloader(parse(config("/a")));
    Await.result(reloader.prime());
    Files.writeString(file, "{", StandardCharsets.UTF_8);

    ReloadOutcome first = Await.result(reloader.reloadIfChanged("file change"));
    assertThat(first.succeeded()).isFalse();
    assertThat(first.errors()).singleElement().asString().startsWith("$: invalid JSON: ");
    assertThat(Await.result(reloader.reloadIfChanged("file change"))).as("same bad content: reported once").isNull();
    assertThat(count("failure")).isEqualTo(1.0);
    assertThat(target.installed).isEmpty();
  }

  @Test
  void aYamlFileIsReloadedAsYaml() throws Exception {
    file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml("/a"), StandardCharsets.UTF_8);
    ConfigReloader reloader = reloader(parse(config("/a")));
    Await.result(reloader.prime());
    Files.writeString(file, yaml("/b"), StandardCharsets.UTF_8);

    ReloadOutcome outcome = Await.result(reloader.reloadIfChanged("file change"));

    assertThat(outcome.result()).isEqualTo(ReloadOutcome.Result.APPLIED);
    assertThat(target.installed).containsExactly(parse(config("/b")));
    Files.writeString(file, "upstreams: [", StandardCharsets.UTF_8);
    assertThat(Await.result(reloader.reloadIfChanged("file change")).errors()).singleElement().asString()
        .startsWith("$: invalid YAML: ");
  }

  @Test
  void aClosedReloaderRefusesReloads() throws Exception {
    write(config("/a"));
    ConfigReloader reloader = reloader(parse(config("/a")));
    reloader.close();
    assertThat(Await.failure(reloader.reload("admin"))).hasMessageContaining("shutting down");
  }

  private ConfigReloader reloader(GatewayConfig running) {
    target = new RecordingTarget(running);
    return new ConfigReloader(vertx, file, target, new GatewayMetrics(registry), Map.<String, String>of()::get);
  }

  private double count(String result) {
    return registry.get("portcullis_config_reloads").tag("result", result).counter().count();
  }

  private void write(JsonObject config) throws Exception {
    Files.writeString(file, config.encode(), StandardCharsets.UTF_8);
  }

  private static String yaml(String prefix) {
    return """
        # reloaded
        upstreams:
          svc:
            endpoints: [http://127.0.0.1:9001]
        routes:
          - name: svc
            match: { pathPrefix: PREFIX }
            upstream: svc
        """.replace("PREFIX", prefix);
  }

  private static GatewayConfig parse(JsonObject config) throws Exception {
    return ConfigFiles.parse(config.encode());
  }

  private static JsonObject config(String prefix) {
    return new JsonObject()
        .put("upstreams", new JsonObject().put("svc", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:9001"))))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "svc")
            .put("match", new JsonObject().put("pathPrefix", prefix)).put("upstream", "svc")));
  }

  /** A target that records what it is given to install, and then runs it. */
  private static final class RecordingTarget implements ReloadTarget {
    private volatile GatewayConfig current;
    final List<GatewayConfig> installed = new CopyOnWriteArrayList<>();

    RecordingTarget(GatewayConfig current) {
      this.current = current;
    }

    @Override
    public GatewayConfig current() {
      return current;
    }

    @Override
    public Installation prepare(GatewayConfig effective) {
      return () -> {
        installed.add(effective);
        current = effective;
        return Future.succeededFuture();
      };
    }
  }
}
