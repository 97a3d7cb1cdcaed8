package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.portcullis.configfile.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * YAML configuration files: the same document, checks and messages as JSON, comments allowed,
 * and bad input (alias bombs, keys that are not strings, endless nesting, huge text) refused with
 * one clear error in bounded time.
 */
class YamlConfigTest {

  private static final Path CONF = Path.of(System.getProperty("user.dir"), "conf");
  private static final Duration BOUNDED = Duration.ofSeconds(10);
  private static final Function<String, String> NO_ENV = name -> null;

  private static final String MINIMAL = """
      # the smallest useful gateway
      upstreams:
        a: { endpoints: ["http://127.0.0.1:1"] }   # one backend
      routes:
        - name: r
          match: { pathPrefix: / }
          upstream: a
      """;

  @TempDir Path dir;

  private static GatewayConfig yaml(String text, Function<String, String> env) throws ConfigException {
    return ConfigFiles.parse(text, ConfigFormat.YAML, env);
  }

  private static List<String> yamlErrors(String text) {
    ConfigException e = assertTimeoutPreemptively(BOUNDED,
        () -> catchThrowableOfType(ConfigException.class, () -> yaml(text, NO_ENV)));
    assertThat(e).as("expected a ConfigException for %s", text.length() > 200 ? text.substring(0, 200) : text)
        .isNotNull();
    return e.errors();
  }

  @Test
  void theShippedYamlConfigIsTheShippedJsonConfig() throws Exception {
    GatewayConfig json = ConfigFiles.load(CONF.resolve("gateway.json"), NO_ENV);
    GatewayConfig yaml = ConfigFiles.load(CONF.resolve("gateway.yaml"), NO_ENV);

    assertThat(yaml).isEqualTo(json);
  }

  @Test
  void theFormatFollowsTheFileExtension() throws Exception {
    Path yml = Files.writeString(dir.resolve("gateway.YML"), MINIMAL);
    Path yaml = Files.writeString(dir.resolve("gateway.yaml"), MINIMAL);
    Path json = Files.writeString(dir.resolve("gateway.conf"), MINIMAL);

    assertThat(ConfigFormat.of(yml)).isEqualTo(ConfigFormat.YAML);
    assertThat(ConfigFiles.load(yml, NO_ENV)).isEqualTo(ConfigFiles.load(yaml, NO_ENV));
    ConfigException notJson = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.load(json, NO_ENV));
    assertThat(notJson.errors()).singleElement().asString().startsWith("$: invalid JSON: ");
  }

  @Test
  void commentsAndBothStylesReadAsTheEquivalentJson() throws ConfigException {
    GatewayConfig fromYaml = yaml(MINIMAL, NO_ENV);

    assertThat(fromYaml).isEqualTo(ConfigFiles.parse(ConfigLoaderTest.MINIMAL.replace("\"r\"", "\"r\""), NO_ENV));
  }

  @Test
  void environmentSubstitutionWorksInYaml() throws ConfigException {
    String text = MINIMAL.replace("\"http://127.0.0.1:1\"", "\"${URL}\"") + "server:\n  host: ${HOST:-127.0.0.2}\n";

    GatewayConfig config = yaml(text, Map.of("URL", "http://10.1.1.1:8080")::get);

    assertThat(config.upstreams().get("a").endpoints()).containsExactly(new Endpoint("http", "10.1.1.1", 8080));
    assertThat(config.server().host()).isEqualTo("127.0.0.2");
    assertThat(catchThrowableOfType(ConfigException.class, () -> yaml(text, NO_ENV)).errors())
        .containsExactly("upstreams.a.endpoints[0]: environment variable \"URL\" is not set");
  }

  @Test
  void anUnquotedNumberWhereAStringBelongsIsATypeErrorAsInJson() {
    assertThat(yamlErrors(MINIMAL + "server: { port: \"8080\" }\ndeadline: { header: 123 }\n")).containsExactly(
        "server.port: must be an integer, got \"8080\"", "deadline.header: must be a string, got 123");
  }

  static Stream<Arguments> badConfigs() {
    return ConfigLoaderTest.badConfigs().filter(row -> !((String) row.get()[0]).startsWith("top level is"));
  }

  /**
   * Every document of the JSON error table, read as YAML (JSON's flow style is YAML too), gives the
   * same messages; only the rows about a top level that is not a mapping are left out, a YAML
   * matter of its own.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void theJsonErrorTableGivesTheSameMessagesInYaml(String story, String json, List<String> expected) {
    assertThat(yamlErrors(json)).containsExactlyElementsOf(expected);
  }

  @Test
  void aBillionLaughsIsRefusedAtItsPathInBoundedTime() {
    StringBuilder text = new StringBuilder(MINIMAL).append("x:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    String previous = "a";
    for (char level = 'b'; level <= 'i'; level++) {
      text.append("  ").append(level).append(": &").append(level).append(" [");
      for (int i = 0; i < 9; i++) {
        text.append(i == 0 ? "" : ", ").append('*').append(previous);
      }
      text.append("]\n");
      previous = String.valueOf(level);
    }

    List<String> errors = yamlErrors(text.toString());

    assertThat(errors).singleElement().asString()
        .matches("x\\.[a-i]\\[\\d\\]: YAML aliases expand to more than 10000 values \\(.*\\)");
  }

  @Test
  void moreThanAHundredAliasesAreRefused() {
    StringBuilder text = new StringBuilder(MINIMAL).append("x: [&a 1");
    for (int i = 0; i < 101; i++) {
      text.append(", *a");
    }
    text.append("]\n");

    assertThat(yamlErrors(text.toString())).singleElement().asString().startsWith("x[101]: more than 100 YAML aliases");
  }

  @Test
  void aliasesWithinTheBoundsAreExpanded() throws ConfigException {
    String text = """
        retry: &retry { maxAttempts: 2, baseDelayMs: 10 }
        """.replace("retry: &retry", "x-unused: &retry") + """
        upstreams:
          a: { endpoints: ["http://127.0.0.1:1"], retry: *retry }
          b: { endpoints: ["http://127.0.0.1:2"], retry: *retry }
        routes: [{ name: r, match: { pathPrefix: / }, upstream: a }]
        """;

    List<String> errors = catchThrowableOfType(ConfigException.class, () -> yaml(text, NO_ENV)).errors();
    assertThat(errors).as("the anchor's own place is a key like any other").containsExactly("x-unused: unknown key");

    GatewayConfig config = yaml(text.replaceFirst("x-unused: &retry [^\\n]*\\n", "")
        .replace("retry: *retry }\n  b", "retry: &retry { maxAttempts: 2, baseDelayMs: 10 } }\n  b"), NO_ENV);
    assertThat(config.upstreams().get("b").retry()).isEqualTo(config.upstreams().get("a").retry());
    assertThat(config.upstreams().get("b").retry().maxAttempts()).isEqualTo(2);
  }

  @Test
  void anAliasOfNoAnchorIsAProblemAtItsPath() {
    assertThat(yamlErrors(MINIMAL + "server: { host: *nowhere }\n"))
        .containsExactly("server.host: YAML alias *nowhere names no anchor defined before it");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "server: { 8080: port }          | server.8080: a key must be a string, got 8080 (quote it: \"8080\")",
      "server: { true: 1 }             | server.true: a key must be a string, got true (quote it: \"true\")",
      "server: { ~: 1 }                | server[\"~\"]: a key must be a string, got ~ (quote it: \"~\")",
      "server: { !!int 7: 1 }          | server.7: a key must be a string, got 7 (quote it: \"7\")",
      "server: { [a, b]: 1 }           | server: a key must be a string, got a sequence as a key",
      "server: { {a: b}: 1 }           | server: a key must be a string, got a mapping as a key"})
  void aKeyThatIsNotAStringIsRefusedAtItsPath(String line, String error) {
    assertThat(yamlErrors(MINIMAL + line + "\n")).containsExactly(error);
  }

  @Test
  void quotedKeysAreStrings() {
    assertThat(yamlErrors(MINIMAL + "server: { \"8080\": port, 'true': 1 }\n"))
        .containsExactly("server.8080: unknown key", "server.true: unknown key");
  }

  @Test
  void endlessNestingIsAnErrorNotAStackOverflow() {
    for (String text : List.of("[".repeat(100_000), "a: ".repeat(2_000) + "1", "- ".repeat(50_000) + "x")) {
      assertThat(yamlErrors(text)).as(text.substring(0, 20)).singleElement().asString().startsWith("$: invalid YAML: ");
    }
  }

  @Test
  void aTextBeyondTheSizeLimitIsRefused() {
    String huge = MINIMAL + ("# " + "x".repeat(1000) + "\n").repeat(YamlText.MAX_CODE_POINTS / 1000);

    assertThat(yamlErrors(huge)).containsExactly(
        "$: invalid YAML: text longer than " + YamlText.MAX_CODE_POINTS + " characters at line 1, column 1");
  }

  @Test
  void aLineBeyondTheLineLimitIsRefused() {
    String huge = MINIMAL + "# " + "x".repeat(10_000_000) + "\n";

    assertThat(yamlErrors(huge)).containsExactly(
        "$: invalid YAML: line 8 is longer than 8192 characters at line 8, column 8193");
  }

  @Test
  void aLargeYamlFileWithinTheLimitsIsReadInBoundedTime() throws ConfigException {
    String big = MINIMAL + ("# " + "x".repeat(8000) + "\n").repeat(1500);

    assertThat(assertTimeoutPreemptively(BOUNDED, () -> yaml(big, NO_ENV))).isEqualTo(yaml(MINIMAL, NO_ENV));
  }

  @Test
  void aSecondDocumentInTheStreamIsAnError() {
    assertThat(yamlErrors(MINIMAL + "---\nserver: {}\n")).singleElement().asString()
        .startsWith("$: invalid YAML: unexpected '{' after the end of the document at line");
  }

  @Test
  void badYamlSyntaxIsOneErrorWithLineAndColumn() {
    assertThat(yamlErrors("upstreams: [1, 2\n")).containsExactly(
        "$: invalid YAML: while parsing a flow sequence: expected ',' or ']', but got <stream end> at line 2, column 1");
  }

  @Test
  void aYamlFileThatIsNotUtf8IsAConfigError() throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "upstreams: { caf\u00e9: {} }\n".getBytes(StandardCharsets.ISO_8859_1));

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.load(file, NO_ENV));
    assertThat(e.errors()).containsExactly("$: invalid YAML: not valid UTF-8 text");
  }

  @Test
  void theRandomConfigsPrintedAsJsonReadBackFromYaml() throws ConfigException {
    RandomConfigs random = new RandomConfigs(7L);
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      GatewayConfig config = random.next();
      String json = ConfigLoader.toJson(config).encodePrettily();
      if (!yaml(json, NO_ENV).equals(config)) {
        mismatches.add(json);
      }
    }
    assertThat(mismatches).isEmpty();
  }
}
