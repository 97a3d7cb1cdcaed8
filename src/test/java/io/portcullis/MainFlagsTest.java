package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --version} and {@code --print-config}, through {@link Main#run}. */
class MainFlagsTest {

  @TempDir
  Path dir;

  private static CommandLineRun run(String... args) {
    return CommandLineRun.of(args);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content.replace('\'', '"'), StandardCharsets.UTF_8);
    return file;
  }

  private static Path shippedConfig() {
    return Path.of(System.getProperty("user.dir"), "conf", "gateway.json");
  }

  // ---- --version ----

  @Test
  void versionPrintsTheProjectVersionAndExits0() throws IOException {
    CommandLineRun run = run("--version");

    assertThat(run.status()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).matches("portcullis \\d+\\.\\d+\\.\\d+\\S*\\R");
    assertThat(run.out().strip()).isEqualTo("portcullis " + pomVersion());
  }

  @Test
  void versionNeedsNoConfigAndWinsOverTheOtherOptions() {
    CommandLineRun run = run("--config", dir.resolve("absent.json").toString(), "--check", "--version");

    assertThat(run.status()).isZero();
    assertThat(run.out().strip()).isEqualTo("portcullis " + Main.version());
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theVersionComesFromTheBuildOnTheTestClasspath() throws IOException {
    // No jar manifest here: the filtered resource must have been written by the build.
    assertThat(Main.class.getPackage().getImplementationVersion()).isNull();
    assertThat(Main.version()).isEqualTo(pomVersion()).doesNotContain("${").isNotEqualTo("unknown");
  }

  /** The version in pom.xml (tests run in the project directory). */
  private static String pomVersion() throws IOException {
    String pom = Files.readString(Path.of(System.getProperty("user.dir"), "pom.xml"));
    Matcher m = Pattern.compile("<artifactId>portcullis</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("project version in pom.xml").isTrue();
    return m.group(1).strip();
  }

  // ---- --print-config ----

  @Test
  void printConfigPrintsTheEffectiveConfigWithEveryDefaultAndExits0() throws Exception {
    Path config = write("minimal.json", "{'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'u'}]}");

    CommandLineRun run = run("--print-config", "--config", config.toString());

    assertThat(run.status()).isZero();
    assertThat(run.err()).isEmpty();
    JsonObject printed = new JsonObject(run.out());
    GatewayConfig parsed = ConfigFiles.load(config);
    assertThat(printed).isEqualTo(ConfigLoader.toJson(parsed));
    // Defaults filled in.
    assertThat(printed.getJsonObject("server").getInteger("port")).isEqualTo(8080);
    assertThat(printed.getJsonObject("admin").getString("host")).isEqualTo("127.0.0.1");
    assertThat(printed.getJsonObject("shutdown").getLong("drainMs")).isEqualTo(5000L);
    assertThat(printed.getJsonObject("deadline").getString("header")).isEqualTo("X-Request-Timeout-Ms");
    assertThat(printed.getJsonObject("upstreams").getJsonObject("u").getJsonObject("retry").getString("jitter"))
        .isEqualTo("full");
    // Pretty: one member per line, indented.
    assertThat(run.out().lines().count()).isGreaterThan(20);
    assertThat(run.out()).contains("\n  \"server\" : {");
    // What it prints is itself a valid configuration, equal to the input.
    assertThat(ConfigFiles.parse(run.out())).isEqualTo(parsed);
  }

  @Test
  void printConfigOfTheShippedConfigRoundTrips() throws Exception {
    CommandLineRun run = run("--print-config", "--config", shippedConfig().toString());

    assertThat(run.status()).isZero();
    assertThat(ConfigFiles.parse(run.out())).isEqualTo(ConfigFiles.load(shippedConfig()));
  }

  @Test
  void printConfigWinsOverCheckAndPrintsOnlyJson() {
    CommandLineRun run = run("--check", "--print-config", "--config", shippedConfig().toString());

    assertThat(run.status()).isZero();
    assertThat(run.out()).doesNotContain("config OK");
    assertThat(new JsonObject(run.out()).fieldNames()).contains("server", "upstreams", "routes");
  }

  @Test
  void printConfigOfAnInvalidConfigBehavesLikeCheck() throws IOException {
    Path config = write("bad.json", "{"
        + "'server':{'prot':8080},"
        + "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'maxAttempts':0}}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'nope'}]}");

    CommandLineRun printed = run("--print-config", "--config", config.toString());
    CommandLineRun checked = run("--check", "--config", config.toString());

    assertThat(printed.status()).isEqualTo(2);
    assertThat(printed.out()).isEmpty();
    assertThat(printed.errLines()).contains(
        "server.prot: unknown key",
        "upstreams.users.retry.maxAttempts: must be >= 1, got 0",
        "routes[0].upstream: unknown upstream \"nope\"");
    assertThat(printed.err()).isEqualTo(checked.err());
  }

  @Test
  void checkNamesAnUnusableTlsFileByItsJsonPathAndExits2() throws IOException {
    Path notPem = write("not-a-key.pem", "just text");
    Path missing = dir.resolve("absent.crt");
    Path config = write("tls.json", "{"
        + "'server':{'tls':{'certFile':'" + missing.toString().replace("\\", "\\\\") + "','keyFile':'"
        + notPem.toString().replace("\\", "\\\\") + "'}},"
        + "'upstreams':{'users':{'endpoints':['https://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'users'}]}");

    CommandLineRun run = run("--check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.out()).doesNotContain("config OK");
    assertThat(run.errLines()).contains(
        "server.tls.certFile: no such file \"" + missing + "\"",
        "server.tls.keyFile: no PEM private key (-----BEGIN PRIVATE KEY-----) in \"" + notPem + "\"");
  }

  @Test
  void printConfigOfAMissingFileExits1WithOneLine() {
    Path missing = dir.resolve("does-not-exist.json");

    CommandLineRun run = run("--print-config", "--config", missing.toString());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).singleElement().asString().contains(missing.toString());
  }

  @Test
  void printConfigOfMalformedJsonExits2() throws IOException {
    Path config = write("broken.json", "{'upstreams': {");

    CommandLineRun run = run("--print-config", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("invalid JSON");
  }

  // ---- YAML files ----

  @Test
  void checkReadsAYamlFileByItsExtension() throws IOException {
    Path yaml = Path.of(System.getProperty("user.dir"), "conf", "gateway.yaml");

    CommandLineRun run = run("--check", "--config", yaml.toString());

    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("config OK");
  }

  @Test
  void printConfigOfAYamlFilePrintsJson() throws Exception {
    Path yaml = Path.of(System.getProperty("user.dir"), "conf", "gateway.yaml");

    CommandLineRun run = run("--print-config", "--config", yaml.toString());

    assertThat(run.status()).isZero();
    assertThat(ConfigFiles.parse(run.out())).isEqualTo(ConfigFiles.load(yaml)).isEqualTo(ConfigFiles.load(shippedConfig()));
  }

  @Test
  void checkOfABadYamlFileNamesEveryProblemByItsPathAndExits2() throws IOException {
    Path config = dir.resolve("bad.yml");
    Files.writeString(config, """
        server:
          prot: 8080       # a typo
        upstreams:
          users: { endpoints: [http://127.0.0.1:9001], retry: { maxAttempts: 0 } }
        routes:
          - { name: r, match: { pathPrefix: /r }, upstream: nope }
        """);

    CommandLineRun run = run("--check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines()).contains(
        "server.prot: unknown key",
        "upstreams.users.retry.maxAttempts: must be >= 1, got 0",
        "routes[0].upstream: unknown upstream \"nope\"");
  }

  @Test
  void helpListsTheNewOptions() {
    CommandLineRun run = run("--help");

    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("--version").contains("--print-config");
  }
}
