package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${VAR}} and {@code ${VAR:-default}} in configuration string values, with an exact environment. */
class EnvSubstitutionTest {

  @TempDir
  Path dir;

  private static Function<String, String> env(Map<String, String> variables) {
    return variables::get;
  }

  private static final Function<String, String> NO_ENV = name -> null;

  /** A document with one upstream {@code users} and one route to it; single quotes become double. */
  private static String doc(String endpoint, String pathPrefix) {
    return ("{'upstreams':{'users':{'endpoints':['" + endpoint + "']}},"
        + "'routes':[{'name':'users','match':{'pathPrefix':'" + pathPrefix + "'},'upstream':'users'}]}")
        .replace('\'', '"');
  }

  private static List<String> errorsOf(String json, Function<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFiles.parse(json, env));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e.errors();
  }

  @Test
  void aSetVariableIsSubstituted() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("${USERS_URL}", "/api/users"),
        env(Map.of("USERS_URL", "http://users.default.svc:8080")));

    Endpoint endpoint = config.upstreams().get("users").endpoints().get(0);
    assertThat(endpoint.host()).isEqualTo("users.default.svc");
    assertThat(endpoint.port()).isEqualTo(8080);
  }

  @Test
  void partsOfAStringAndSeveralVariablesAreSubstituted() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("http://${HOST}:${PORT}", "/${PREFIX}/users"),
        env(Map.of("HOST", "10.0.0.7", "PORT", "9001", "PREFIX", "v2")));

    assertThat(config.upstreams().get("users").endpoints().get(0).toString()).isEqualTo("http://10.0.0.7:9001");
    assertThat(config.routes().get(0).match().pathPrefix()).contains("/v2/users");
  }

  @Test
  void anUnsetVariableWithoutDefaultIsAnErrorAtItsJsonPath() {
    assertThat(errorsOf(doc("${USERS_URL}", "/api/users"), NO_ENV))
        .containsExactly("upstreams.users.endpoints[0]: environment variable \"USERS_URL\" is not set");
  }

  @Test
  void everyUnsetVariableIsReportedWithTheOtherProblemsInDocumentOrder() {
    String json = ("{'server':{'host':'${BIND}','prot':1},"
        + "'upstreams':{'users':{'endpoints':['http://${H}:${P}']}},"
        + "'routes':[{'name':'users','match':{'pathPrefix':'/api'},'upstream':'nope'}]}").replace('\'', '"');

    assertThat(errorsOf(json, NO_ENV)).containsExactly(
        "server.host: environment variable \"BIND\" is not set",
        "server.prot: unknown key",
        "upstreams.users.endpoints[0]: environment variable \"H\" is not set",
        "upstreams.users.endpoints[0]: environment variable \"P\" is not set",
        "routes[0].upstream: unknown upstream \"nope\"");
  }

  @Test
  void anUnsetVariableGivesNoFollowUpErrorAtTheSamePath() {
    // "${X}" is no URL either, but only the cause is reported.
    assertThat(errorsOf(doc("${X}", "${PREFIX}"), NO_ENV)).containsExactly(
        "upstreams.users.endpoints[0]: environment variable \"X\" is not set",
        "routes[0].match.pathPrefix: environment variable \"PREFIX\" is not set");
  }

  @Test
  void theDefaultAppliesWhenUnsetOrEmpty() throws ConfigException {
    String json = doc("${USERS_URL:-http://127.0.0.1:9001}", "${PREFIX:-/api/users}");

    GatewayConfig unset = ConfigFiles.parse(json, NO_ENV);
    GatewayConfig empty = ConfigFiles.parse(json, env(Map.of("USERS_URL", "", "PREFIX", "")));
    GatewayConfig set = ConfigFiles.parse(json, env(Map.of("USERS_URL", "http://u:1", "PREFIX", "/x")));

    assertThat(unset.upstreams().get("users").endpoints().get(0).toString()).isEqualTo("http://127.0.0.1:9001");
    assertThat(unset.routes().get(0).match().pathPrefix()).contains("/api/users");
    assertThat(empty).isEqualTo(unset);
    assertThat(set.upstreams().get("users").endpoints().get(0).toString()).isEqualTo("http://u:1");
    assertThat(set.routes().get(0).match().pathPrefix()).contains("/x");
  }

  @Test
  void anEmptyDefaultAndAnEmptyValueGiveTheEmptyString() throws ConfigException {
    String json = doc("http://127.0.0.1:9001", "/api${SUFFIX:-}${MORE}");

    GatewayConfig config = ConfigFiles.parse(json, env(Map.of("MORE", "")));

    assertThat(config.routes().get(0).match().pathPrefix()).contains("/api");
  }

  @Test
  void theDefaultIsLiteralAndNotSubstitutedAgain() throws ConfigException {
    String json = doc("http://127.0.0.1:9001", "${P:-/a/$x}");

    GatewayConfig config = ConfigFiles.parse(json, env(Map.of("x", "NO")));

    assertThat(config.routes().get(0).match().pathPrefix()).contains("/a/$x");
  }

  @Test
  void aSubstitutedValueIsNotScannedAgain() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("http://127.0.0.1:9001", "${P}"),
        env(Map.of("P", "/a/${Q}", "Q", "nope")));

    assertThat(config.routes().get(0).match().pathPrefix()).contains("/a/${Q}");
  }

  @Test
  void doubleDollarEscapesALiteralReference() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("http://127.0.0.1:9001", "/a/$${NOT_A_VAR}/b$$c$d"), NO_ENV);

    assertThat(config.routes().get(0).match().pathPrefix()).contains("/a/${NOT_A_VAR}/b$$c$d");
  }

  @Test
  void tripleDollarIsADollarThenAnEscape() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("http://127.0.0.1:9001", "/a$$${X}"), NO_ENV);

    assertThat(config.routes().get(0).match().pathPrefix()).contains("/a$${X}");
  }

  @Test
  void malformedReferencesAreErrors() {
    assertThat(errorsOf(doc("http://127.0.0.1:9001", "/a/${OPEN"), NO_ENV)).containsExactly(
        "routes[0].match.pathPrefix: unterminated \"${\" in \"/a/${OPEN\" (write \"$${\" for a literal \"${\")");
    assertThat(errorsOf(doc("http://127.0.0.1:9001", "/a/${1BAD}"), NO_ENV)).singleElement().asString()
        .startsWith("routes[0].match.pathPrefix: invalid environment reference \"${1BAD}\"");
    assertThat(errorsOf(doc("http://127.0.0.1:9001", "/a/${}"), NO_ENV)).singleElement().asString()
        .startsWith("routes[0].match.pathPrefix: invalid environment reference \"${}\"");
    assertThat(errorsOf(doc("http://127.0.0.1:9001", "/a/${X:=y}"), NO_ENV)).singleElement().asString()
        .startsWith("routes[0].match.pathPrefix: invalid environment reference \"${X:=y}\"");
  }

  @Test
  void keysAreNeverSubstituted() {
    String json = ("{'upstreams':{'${NAME}':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'${NAME}'}]}").replace('\'', '"');

    // The key stays "${NAME}" (an invalid upstream name); the value is substituted to "users".
    assertThat(errorsOf(json, env(Map.of("NAME", "users")))).containsExactly(
        "upstreams[\"${NAME}\"]: upstream name must match [A-Za-z0-9._-]+, got \"${NAME}\"",
        "routes[0].upstream: unknown upstream \"users\"");
  }

  @Test
  void substitutionReachesEveryStringValueAtAnyDepth() throws ConfigException {
    String json = ("{'server':{'host':'${HOST}'},'admin':{'host':'${ADMIN_HOST:-127.0.0.1}'},"
        + "'deadline':{'header':'${DEADLINE_HEADER}'},"
        + "'upstreams':{'users':{'endpoints':['${U1}','${U2}'],'balancer':'${BALANCER}',"
        + "  'retry':{'jitter':'${JITTER}','methods':['GET','${EXTRA_METHOD}'],'retryOn':['${RETRY_ON}']},"
        + "  'healthCheck':{'path':'${HEALTH_PATH}'}}},"
        + "'routes':[{'name':'${ROUTE}','match':{'path':'/p/:id'},'timeoutMs':1000,"
        + "  'aggregate':[{'upstream':'users','path':'${BACKEND_PATH}/:id','as':'${AS}'}]}]}").replace('\'', '"');
    Map<String, String> variables = Map.ofEntries(
        Map.entry("HOST", "10.0.0.1"), Map.entry("DEADLINE_HEADER", "X-Deadline"),
        Map.entry("U1", "http://a:1"), Map.entry("U2", "http://b:2"), Map.entry("BALANCER", "least-requests"),
        Map.entry("JITTER", "equal"), Map.entry("EXTRA_METHOD", "POST"), Map.entry("RETRY_ON", "503"),
        Map.entry("HEALTH_PATH", "/ready"), Map.entry("ROUTE", "profile"), Map.entry("BACKEND_PATH", "/users"),
        Map.entry("AS", "user"));

    GatewayConfig config = ConfigFiles.parse(json, env(variables));

    assertThat(config.server().host()).isEqualTo("10.0.0.1");
    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    assertThat(config.deadline().header()).isEqualTo("X-Deadline");
    UpstreamConfig users = config.upstreams().get("users");
    assertThat(users.endpoints()).extracting(Endpoint::toString).containsExactly("http://a:1", "http://b:2");
    assertThat(users.balancer()).isEqualTo(BalancerKind.LEAST_REQUESTS);
    assertThat(users.retry().jitter()).isEqualTo(JitterMode.EQUAL);
    assertThat(users.retry().methods()).containsExactly("GET", "POST");
    assertThat(users.healthCheck().orElseThrow().path()).isEqualTo("/ready");
    assertThat(config.routes().get(0).name()).isEqualTo("profile");
    assertThat(config.routes().get(0).aggregate().get(0).path()).isEqualTo("/users/:id");
    assertThat(config.routes().get(0).aggregate().get(0).as()).isEqualTo("user");
  }

  @Test
  void aWholeValueReferenceInANumberFieldStaysAStringAndSaysWhy() {
    String json = ("{'server':{'port':'${PORT}'},'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'u'}]}").replace('\'', '"');

    assertThat(errorsOf(json, env(Map.of("PORT", "8080")))).containsExactly(
        "server.port: must be an integer, got \"8080\""
            + " (environment substitution applies to string values only; write the number itself)");
  }

  @Test
  void aStringInANumberFieldWithoutReferenceGetsNoHint() {
    String json = ("{'server':{'port':'8080'},'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'u'}]}").replace('\'', '"');

    assertThat(errorsOf(json, NO_ENV)).containsExactly("server.port: must be an integer, got \"8080\"");
  }

  @Test
  void aSubstitutedValueIsValidatedLikeAWrittenOne() {
    assertThat(errorsOf(doc("${URL}", "/api"), env(Map.of("URL", "ftp://x")))).containsExactly(
        "upstreams.users.endpoints[0]: must be an http(s) URL like \"http://host:port\", got \"ftp://x\"");
  }

  @Test
  void aLiteralReferenceSurvivesToJsonAndBack() throws ConfigException {
    GatewayConfig config = ConfigFiles.parse(doc("http://127.0.0.1:9001", "/a/$${X}"), NO_ENV);

    JsonObject written = ConfigLoader.toJson(config);

    assertThat(written.getJsonArray("routes").getJsonObject(0).getJsonObject("match").getString("pathPrefix"))
        .isEqualTo("/a/$${X}");
    assertThat(ConfigFiles.parse(written.encode(), env(Map.of("X", "nope")))).isEqualTo(config);
  }

  @Test
  void theEnvironmentIsUsedByLoadToo(@TempDir Path tmp) throws IOException, ConfigException {
    Path file = tmp.resolve("gateway.json");
    Files.writeString(file, doc("${USERS_URL}", "/api"), StandardCharsets.UTF_8);

    GatewayConfig config = ConfigFiles.load(file, env(Map.of("USERS_URL", "http://users:80")));

    assertThat(config.upstreams().get("users").endpoints().get(0).toString()).isEqualTo("http://users:80");
  }

  @Test
  void theOneArgumentParseUsesTheProcessEnvironment() throws ConfigException {
    String path = System.getenv("PATH");
    Assumptions.assumeTrue(path != null && !path.isEmpty(), "PATH is set");
    String json = doc("http://127.0.0.1:9001", "/api")
        .replace("{\"upstreams\"", "{\"server\":{\"host\":\"${PATH}\"},\"upstreams\"");

    assertThat(ConfigFiles.parse(json).server().host()).isEqualTo(path);
  }

  @Test
  void problemsAboutSubstitutionNeverShowAVariablesValue() {
    String secret = "s3cr3t-value";
    List<String> errors = errorsOf(doc("http://127.0.0.1:9001", "/api/${B:-x}${C}${1D}"), env(Map.of("B", secret)));

    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).isEqualTo("routes[0].match.pathPrefix: environment variable \"C\" is not set");
    assertThat(errors.get(1)).startsWith("routes[0].match.pathPrefix: invalid environment reference \"${1D}\"");
    assertThat(errors).noneMatch(line -> line.contains(secret));
  }
}
