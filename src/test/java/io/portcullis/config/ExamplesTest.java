package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.configfile.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conf/examples/*.json is a valid configuration, so the examples cannot rot, and each is
 * described in conf/examples/README.md. The environment is fixed (never the process's), so the
 * result does not depend on the machine.
 */
class ExamplesTest {

  private static final Path DIR = Path.of(System.getProperty("user.dir"), "conf", "examples");

  /** The variables env-substitution.json needs; the others have defaults. */
  private static final Map<String, String> TEST_ENV = Map.of(
      "USERS_URL", "http://users.default.svc.cluster.local:8080",
      "ORDERS_HOST", "orders.default.svc.cluster.local");

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> json = files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted()
          .collect(Collectors.toList());
      return json.stream();
    }
  }

  @Test
  void thereIsAnExampleForEveryFeature() throws IOException {
    assertThat(examples().map(f -> f.getFileName().toString())).contains(
        "minimal-proxy.json", "load-balancing.json", "retries-jitter.json", "route-breaker-override.json",
        "aggregate-optional.json", "deadlines.json", "health-checks.json", "env-substitution.json",
        "rate-limits.json", "tracing-otlp.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsValid(Path example) throws IOException {
    try {
      GatewayConfig config = ConfigFiles.load(example, TEST_ENV::get);
      assertThat(config.routes()).isNotEmpty();
    } catch (ConfigException e) {
      throw new AssertionError(example.getFileName() + " is invalid:\n" + e.getMessage(), e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsDescribedInTheReadme(Path example) throws IOException {
    String readme = Files.readString(DIR.resolve("README.md"), StandardCharsets.UTF_8);
    assertThat(readme).contains("`" + example.getFileName() + "`");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void noExampleNeedsTheEnvironmentExceptTheEnvironmentExample(Path example) throws IOException {
    Function<String, String> empty = name -> null;
    if (example.getFileName().toString().equals("env-substitution.json")) {
      return;
    }
    try {
      ConfigFiles.load(example, empty);
    } catch (ConfigException e) {
      throw new AssertionError(example.getFileName() + " depends on the environment:\n" + e.getMessage(), e);
    }
  }

  @Test
  void theEnvironmentExampleSubstitutesAndDefaults() throws Exception {
    Path example = DIR.resolve("env-substitution.json");

    GatewayConfig defaults = ConfigFiles.load(example, TEST_ENV::get);
    assertThat(defaults.server().host()).isEqualTo("0.0.0.0");
    assertThat(defaults.admin().host()).isEqualTo("127.0.0.1");
    assertThat(defaults.upstreams().get("users").endpoints().get(0).host())
        .isEqualTo("users.default.svc.cluster.local");
    assertThat(defaults.upstreams().get("orders").endpoints().get(0).port()).isEqualTo(8080);
    assertThat(defaults.routes().get(0).match().pathPrefix()).contains("/api/users");

    Map<String, String> custom = Map.of("USERS_URL", "http://u:1", "ORDERS_HOST", "o", "ORDERS_PORT", "9000",
        "API_PREFIX", "/v2", "ADMIN_HOST", "0.0.0.0");
    GatewayConfig overridden = ConfigFiles.load(example, custom::get);
    assertThat(overridden.upstreams().get("orders").endpoints().get(0).toString()).isEqualTo("http://o:9000");
    assertThat(overridden.routes().get(0).match().pathPrefix()).contains("/v2/users");
    assertThat(overridden.routes().get(0).stripPrefix()).contains("/v2");
    assertThat(overridden.admin().host()).isEqualTo("0.0.0.0");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.load(example, name -> null));
    assertThat(e.errors()).containsExactly(
        "upstreams.users.endpoints[0]: environment variable \"USERS_URL\" is not set",
        "upstreams.orders.endpoints[0]: environment variable \"ORDERS_HOST\" is not set");
  }
}
