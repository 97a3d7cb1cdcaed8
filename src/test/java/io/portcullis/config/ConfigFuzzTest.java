package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing of {@link ConfigLoader}: whatever the text, it yields a configuration or a
 * {@link ConfigException} whose every line is {@code <path>: <problem>}, in bounded time and
 * memory. Random JSON trees, mutations of the README configuration example (with an {@code orders}
 * upstream), truncated and garbled text, 10 MB documents, and nesting 100,000 levels deep.
 */
class ConfigFuzzTest {

  /** Budget of one ordinary parse; generous, a parse takes well under a millisecond. */
  private static final Duration EACH = Duration.ofSeconds(5);
  /**
   * Budget of one 10 MB document, reading the file included, in CPU time of the loading thread:
   * on a shared machine the wall-clock time of two seconds of work was seen to reach twelve. A
   * quadratic walk needs minutes either way.
   */
  private static final Duration HUGE = Duration.ofSeconds(10);
  /** Wall-clock guard of one 10 MB document: it never hangs. */
  private static final Duration HANG = Duration.ofSeconds(60);
  private static final int TEN_MB = 10 * 1024 * 1024;
  private static final int THREE_MB = 3 * 1024 * 1024;

  /**
   * {@code <path>: <problem>} on one line: the path is {@code $} or member names and indexes as
   * Node prints them ({@code routes[1].match}, {@code server["my key"]}).
   */
  private static final Pattern ERROR_LINE = Pattern.compile(
      "(?:\\$|(?:[A-Za-z0-9_.-]|\\[(?:[0-9]++|\"(?:[^\"\\\\]|\\\\.)*+\")\\])++): \\S[^\\n]*+");

  private static final Map<String, String> ENVIRONMENT =
      Map.of("HOST", "127.0.0.1", "PORT", "9001", "EMPTY", "", "URL", "http://127.0.0.1:9001");
  private static final Function<String, String> ENV = ENVIRONMENT::get;

  /** What a parse gave: a configuration, or the problems. */
  record Outcome(GatewayConfig config, List<String> errors) {
    boolean valid() {
      return config != null;
    }

    /** The path of each problem. */
    List<String> paths() {
      return errors.stream().map(ConfigFuzzTest::pathOf).collect(Collectors.toList());
    }
  }

  /**
   * Parses {@code text} within {@link #EACH}; anything thrown but a ConfigException fails the
   * test, and so does a problem that is not one {@code <path>: <problem>} line.
   */
  static Outcome parse(String text) {
    return assertTimeoutPreemptively(EACH, () -> parseUnguarded(text),
        () -> "no answer within " + EACH + " for " + abbreviate(text));
  }

  /** {@link #parse} without a timeout of its own: for loops that are guarded as a whole. */
  static Outcome parseUnguarded(String text) {
    try {
      return checked(new Outcome(ConfigFiles.parse(text, ENV), List.of()), text);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isEqualTo(String.join("\n", e.errors()));
      return checked(new Outcome(null, e.errors()), text);
    }
  }

  /** Runs a loop of parses with one timeout for all of them. */
  static void guarded(Duration timeout, org.junit.jupiter.api.function.Executable loop) {
    assertTimeoutPreemptively(timeout, loop);
  }

  private static Outcome checked(Outcome outcome, String input) {
    if (!outcome.valid()) {
      assertThat(outcome.errors()).as("errors for %s", abbreviate(input)).isNotEmpty();
      for (String error : outcome.errors()) {
        assertThat(ERROR_LINE.matcher(error).matches())
            .as("not a '<path>: <problem>' line: %s%n  input: %s", abbreviate(error), abbreviate(input))
            .isTrue();
      }
    }
    return outcome;
  }

  /** The path of an error line (everything before the first ": " outside a quoted key). */
  static String pathOf(String error) {
    int i = 0;
    while (i < error.length()) {
      char c = error.charAt(i);
      if (c == '[' && i + 1 < error.length() && error.charAt(i + 1) == '"') {
        i += 2;
        while (error.charAt(i) != '"') {
          i += error.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else if (c == ':' && error.startsWith(": ", i)) {
        return error.substring(0, i);
      } else {
        i++;
      }
    }
    throw new AssertionError("no path in " + error);
  }

  static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " chars)";
  }

  // =============================================================================================
  // (a) random JSON trees
  // =============================================================================================

  /** Every member name of the schema, so random objects often hit real fields. */
  private static final List<String> SCHEMA_KEYS = List.of(
      "server", "admin", "shutdown", "deadline", "accessLog", "upstreams", "routes",
      "host", "port", "instances", "maxHeaderBytes", "maxBodyBytes", "idleTimeoutMs", "drainMs", "graceMs",
      "header", "defaultMs", "maxMs", "enabled", "endpoints", "balancer", "connectTimeoutMs", "circuitBreaker",
      "retry", "healthCheck", "maxFailures", "rollingWindowMs", "resetTimeoutMs", "failureStatuses",
      "maxAttempts", "baseDelayMs", "maxDelayMs", "jitter", "perTryTimeoutMs", "retryOn", "methods",
      "budgetRatio", "budgetMinPerSecond", "path", "intervalMs", "timeoutMs", "unhealthyThreshold",
      "healthyThreshold", "name", "match", "pathPrefix", "upstream", "aggregate", "stripPrefix", "as", "required",
      "$schema", "proxyProtocol", "trustedProxies", "maxHops", "redis", "endpoint", "dns", "servers", "concurrency",
      "mode", "initial", "min", "max", "pool", "maxConnections", "maxPending", "discovery", "refreshMs", "hedge",
      "delayMs", "percentile", "maxHedges", "rateLimit", "scope", "requestsPerSecond", "burst", "key");

  /** Numbers written as text: huge, tiny, negative zero, beyond long, exponent forms. */
  private static final List<String> NUMBER_LITERALS = List.of(
      "0", "-0", "1", "-1", "0.0", "-0.0", "1.5", "0.2", "3.0", "1e2", "1E+2", "2.5e-3", "8080", "65535", "65536",
      "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
      "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890123",
      "1e400", "-1e400", "1e-400", "1E308", "1.7976931348623157e309", "4.9e-325", "1e999999999", "1e9999999999",
      "-1e-9999999999", "1e+2147483648", "0.99999999999999999999", "2.0000000000000000001",
      "0." + "0".repeat(400) + "1", "9".repeat(2_000), "1" + "0".repeat(1_500) + "e-1500");

  /** Strings that mean something somewhere, and strings that try to. */
  private static final List<String> STRING_VALUES = List.of(
      "", " ", "http://127.0.0.1:9001", "https://orders.internal", "http://[::1]:80", "http://user_service:8080",
      "/", "/api", "/api/users", "/api/profile/:id", "/users/:id", "//", "/a?b", "GET", "get", "POST", "M-1",
      "round-robin", "least-requests", "full", "equal", "decorrelated", "none", "connect-failure", "503", "users",
      "orders", "${HOST}", "http://${HOST}:${PORT}", "${URL}", "${NOPE}", "${NOPE:-http://127.0.0.1:1}",
      "${EMPTY:-/x}", "$${HOST}", "${", "${}", "${1A}", "${jndi:ldap://x}", "#{T(java.lang.Runtime)}", "%{x}",
      "\u0000", "\u001f", "\u2028", "caf\u00e9", "\uD83D\uDE00", "\uD800", "\uDC00", "\uFFFF", "\"", "\\",
      "a\"b", "line\nbreak", "X-Request-Timeout-Ms", "X Bad", "true", "null", "8080",
      "off", "fixed", "adaptive", "instance", "cluster", "10.0.0.0/8", "10.0.0/8", "::1/128", "fd00::/129",
      "127.0.0.1:53", "[::1]:5353", "::1%lo", "redis://127.0.0.1:6379", "rediss://:pw@h:6380/1", "redis://h:0");

  @Provide
  Arbitrary<String> documents() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, object(4, true)),
        Tuple.of(1, value(3)),
        Tuple.of(2, deeplyNested()),
        Tuple.of(1, Arbitraries.of("", " ", "{", "}", "[]", "null", "true", "1", "\"x\"", "{}", "\uFEFF{}",
            "{\"upstreams\":{},\"routes\":[]}")));
  }

  private Arbitrary<String> value(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        Tuple.of(5, scalar()),
        Tuple.of(2, Arbitraries.lazy(() -> object(depth - 1, false))),
        Tuple.of(2, Arbitraries.lazy(() -> array(depth - 1))));
  }

  private Arbitrary<String> object(int depth, boolean schemaKeysMostly) {
    Arbitrary<String> keys = schemaKeysMostly
        ? Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(SCHEMA_KEYS)), Tuple.of(1, randomStrings(12)))
        : Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(SCHEMA_KEYS)),
            Tuple.of(1, Arbitraries.of("users", "orders", "a b", "")), Tuple.of(2, randomStrings(12)));
    Arbitrary<String> member = Combinators.combine(keys, value(depth)).as((k, v) -> quote(k) + ":" + v);
    return member.list().ofMaxSize(7).map(members -> "{" + String.join(",", members) + "}");
  }

  private Arbitrary<String> array(int depth) {
    return value(depth).list().ofMaxSize(6).map(items -> "[" + String.join(",", items) + "]");
  }

  private Arbitrary<String> scalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(NUMBER_LITERALS)),
        Tuple.of(2, Arbitraries.integers().map(String::valueOf)),
        Tuple.of(2, Arbitraries.longs().map(String::valueOf)),
        Tuple.of(1, Arbitraries.doubles().map(d -> Json.encode(d))),
        Tuple.of(5, Arbitraries.of(STRING_VALUES).map(ConfigFuzzTest::quote)),
        Tuple.of(2, randomStrings(40).map(ConfigFuzzTest::quote)),
        Tuple.of(1, Arbitraries.of("\"\\u0041\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u0000\"",
            "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\\uFEFF\"")),
        Tuple.of(1, Arbitraries.integers().between(1, 100_000)
            .map(n -> quote(Character.toString('a' + n % 26).repeat(n)))),
        Tuple.of(2, Arbitraries.of("true", "false", "null")));
  }

  /** Any characters at all: control characters, lone surrogates, non-characters. */
  private static Arbitrary<String> randomStrings(int maxLength) {
    return Arbitraries.strings().all().ofMaxLength(maxLength);
  }

  /** A value nested 1 to 3,000 levels in arrays and objects, sometimes under a schema key. */
  private Arbitrary<String> deeplyNested() {
    Arbitrary<String> opening = Arbitraries.of("[", "{\"a\":", "{\"server\":", "[1,", "{\"\":");
    return Combinators.combine(
            opening.list().ofMinSize(1).ofMaxSize(3_000),
            scalar(),
            Arbitraries.of(SCHEMA_KEYS),
            Arbitraries.integers().between(0, 2))
        .as((openings, innermost, key, closeMode) -> {
          StringBuilder text = new StringBuilder();
          if (closeMode == 2) {
            text.append("{\"").append(key).append("\":");
          }
          openings.forEach(text::append);
          text.append(innermost);
          if (closeMode != 1) { // mode 1: left unclosed
            for (int i = openings.size() - 1; i >= 0; i--) {
              text.append(openings.get(i).startsWith("[") ? "]" : "}");
            }
          }
          if (closeMode == 2) {
            text.append('}');
          }
          return text.toString();
        });
  }

  /** A JSON string literal: quote, backslash and control characters escaped, the rest raw. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
  void randomJsonTreesGiveAConfigOrWellFormedConfigErrors(@ForAll("documents") String text) {
    parse(text);
  }

  /** Messages render values and member names without a JSON generator, but exactly as one. */
  @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
  void valuesInMessagesAreTheStartOfTheirJsonEncoding(@ForAll("documents") String text) {
    DocumentReader.Document document;
    try {
      document = DocumentReader.read(ConfigFormat.JSON.parser(text), ConfigFormat.JSON);
    } catch (DocumentReader.SyntaxException | IOException e) {
      return;
    }
    String full = Json.encode(document.value());
    assertThat(Node.root(document.value()).shown())
        .isEqualTo(full.length() <= 80 ? full : full.substring(0, 77) + "...");
  }

  @Property(tries = 300)
  void stringsInMessagesAreEncodedAsJsonEncodeDoes(@ForAll("anyStrings") String s) {
    assertThat(Syntax.json(s)).isEqualTo(Json.encode(s));
  }

  @Provide
  Arbitrary<String> anyStrings() {
    return Arbitraries.oneOf(randomStrings(50), Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(50));
  }

  @Test
  void edgeCaseNumbersAtEveryKindOfField() {
    List<String> fields = List.of("'server':{'port':%s}", "'server':{'maxBodyBytes':%s}",
        "'upstreams':{'a':{'endpoints':['http://127.0.0.1:1'],'retry':{'budgetRatio':%s}}}",
        "'upstreams':{'a':{'endpoints':['http://127.0.0.1:1'],'retry':{'budgetMinPerSecond':%s}}}",
        "'upstreams':{'a':{'endpoints':['http://127.0.0.1:1'],'circuitBreaker':{'failureStatuses':[%s]}}}",
        "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'a','timeoutMs':%s}]");
    for (String literal : NUMBER_LITERALS) {
      for (String field : fields) {
        String members = field.replace('\'', '"').formatted(literal);
        String doc = "{" + members
            + (members.startsWith("\"upstreams\"") ? "" : ",\"upstreams\":{\"a\":{\"endpoints\":[\"http://127.0.0.1:1\"]}}")
            + (members.startsWith("\"routes\"") ? ""
                : ",\"routes\":[{\"name\":\"r\",\"match\":{\"pathPrefix\":\"/\"},\"upstream\":\"a\"}]")
            + "}";
        parse(doc);
      }
    }
  }

  @Test
  void integersMustBeExactlyIntegral() {
    // A decimal that is not an integer must not pass as one because a double rounds it.
    for (String almost : List.of("0.99999999999999999999", "8080.0000000000000001", "2.0000000000000000001")) {
      Outcome outcome = parse(MINIMAL.replace("\"routes\"", "\"server\":{\"port\":" + almost + "},\"routes\""));
      assertThat(outcome.errors()).as(almost).containsExactly("server.port: must be an integer, got " + almost);
    }
    for (String integral : List.of("8080.0", "8.08e3", "808000e-2", "-0", "-0.0")) {
      Outcome outcome = parse(MINIMAL.replace("\"routes\"", "\"server\":{\"port\":" + integral + "},\"routes\""));
      assertThat(outcome.valid()).as(integral + ": " + outcome.errors()).isTrue();
    }
  }

  @Test
  void hugeExponentsAreConfigErrors() {
    for (String literal : List.of("1e9999999999", "-1e-9999999999", "1e+2147483648", "0.1E-2147483648",
        "1e" + "9".repeat(900))) {
      Outcome outcome = parse(MINIMAL.replace("\"routes\"", "\"server\":{\"port\":" + literal + "},\"routes\""));
      assertThat(outcome.valid()).as(literal).isFalse();
    }
  }

  // =============================================================================================
  // (b) mutations of a valid configuration
  // =============================================================================================

  /** The README configuration example, with the {@code orders} upstream its aggregate route needs. */
  static final String BASE = ConfigLoaderTest.REFERENCE_EXAMPLE;

  static final String MINIMAL = ConfigLoaderTest.MINIMAL;

  /** A JSON tree that may hold two members of one name, printed compactly. */
  sealed interface J permits JObject, JArray, JLiteral {
    J copy();
  }

  /** An object: members in order, names possibly repeated. */
  record JObject(List<Map.Entry<String, J>> members) implements J {
    @Override
    public J copy() {
      List<Map.Entry<String, J>> copied = new ArrayList<>();
      members.forEach(m -> copied.add(Map.entry(m.getKey(), m.getValue().copy())));
      return new JObject(copied);
    }

    @Override
    public String toString() {
      return members.stream().map(m -> quote(m.getKey()) + ":" + m.getValue())
          .collect(Collectors.joining(",", "{", "}"));
    }
  }

  /** An array. */
  record JArray(List<J> items) implements J {
    @Override
    public J copy() {
      List<J> copied = new ArrayList<>();
      items.forEach(i -> copied.add(i.copy()));
      return new JArray(copied);
    }

    @Override
    public String toString() {
      return items.stream().map(J::toString).collect(Collectors.joining(",", "[", "]"));
    }
  }

  /** A scalar as JSON text. */
  record JLiteral(String text) implements J {
    @Override
    public J copy() {
      return this;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** The example, parsed once. */
  private static final JsonObject BASE_JSON = new JsonObject(BASE);

  /** A fresh tree of the example, to mutate. */
  static J base() {
    return tree(BASE_JSON);
  }

  static J tree(Object value) {
    if (value instanceof JsonObject object) {
      List<Map.Entry<String, J>> members = new ArrayList<>();
      object.getMap().forEach((k, v) -> members.add(Map.entry(k, tree(v))));
      return new JObject(members);
    }
    if (value instanceof JsonArray array) {
      List<J> items = new ArrayList<>();
      array.getList().forEach(v -> items.add(tree(v)));
      return new JArray(items);
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return tree(value instanceof Map<?, ?> ? new JsonObject(cast(value)) : new JsonArray((List<?>) value));
    }
    return new JLiteral(Json.encode(value));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object map) {
    return (Map<String, Object>) map;
  }

  /** The six JSON types. */
  enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

  static Kind kindOf(J node) {
    if (node instanceof JObject) {
      return Kind.OBJECT;
    }
    if (node instanceof JArray) {
      return Kind.ARRAY;
    }
    String text = ((JLiteral) node).text();
    if (text.startsWith("\"")) {
      return Kind.STRING;
    }
    if (text.equals("true") || text.equals("false")) {
      return Kind.BOOLEAN;
    }
    return text.equals("null") ? Kind.NULL : Kind.NUMBER;
  }

  /** Sample values of each type, valid nowhere a value of another type belongs. */
  static final Map<Kind, List<String>> SAMPLES = Map.of(
      Kind.OBJECT, List.of("{}", "{\"port\":8080}", "{\"k\":1}"),
      Kind.ARRAY, List.of("[]", "[\"GET\"]", "[{}]", "[1,\"a\"]"),
      Kind.STRING, List.of("\"${HOST}\"", "\"8080\"", "\"\"", "\"x\"", "\"true\"", "\"null\"", "\"[]\"", "\"/api\""),
      Kind.NUMBER, List.of("1e400", "-0", "1.5", "0", "-1", "8080", "9223372036854775808"),
      Kind.BOOLEAN, List.of("true", "false"),
      Kind.NULL, List.of("null"));

  /**
   * A place in the tree: the container, the member index or element index, and the path as
   * Node prints it.
   */
  record Place(J container, int index, String label) {
    J value() {
      return container instanceof JObject o ? o.members().get(index).getValue() : ((JArray) container).items().get(index);
    }

    String key() {
      return ((JObject) container).members().get(index).getKey();
    }

    void set(J value) {
      if (container instanceof JObject o) {
        o.members().set(index, Map.entry(key(), value));
      } else {
        ((JArray) container).items().set(index, value);
      }
    }
  }

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.-]+");

  /** A member's path as Node prints it. */
  static String childLabel(String parent, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return parent.isEmpty() ? key : parent + "." + key;
    }
    return parent + "[" + Json.encode(key) + "]";
  }

  static String parentLabel(String label) {
    int cut = Math.max(label.lastIndexOf('.'), label.lastIndexOf('['));
    return cut <= 0 ? "$" : label.substring(0, cut);
  }

  /** Every value of the tree but the root, in document order. */
  static List<Place> places(J root) {
    List<Place> places = new ArrayList<>();
    collect(root, "", places);
    return places;
  }

  private static void collect(J node, String label, List<Place> out) {
    if (node instanceof JObject o) {
      for (int i = 0; i < o.members().size(); i++) {
        String child = childLabel(label, o.members().get(i).getKey());
        out.add(new Place(o, i, child));
        collect(o.members().get(i).getValue(), child, out);
      }
    } else if (node instanceof JArray a) {
      for (int i = 0; i < a.items().size(); i++) {
        String child = label + "[" + i + "]";
        out.add(new Place(a, i, child));
        collect(a.items().get(i), child, out);
      }
    }
  }

  /** The objects of the tree with their paths ({@code $} for the root). */
  static List<Map.Entry<JObject, String>> objects(J root) {
    List<Map.Entry<JObject, String>> objects = new ArrayList<>();
    if (root instanceof JObject o) {
      objects.add(Map.entry(o, "$"));
    }
    for (Place place : places(root)) {
      if (place.value() instanceof JObject o) {
        objects.add(Map.entry(o, place.label()));
      }
    }
    return objects;
  }

  /**
   * The members of the example that cannot be left out: without one the configuration is
   * invalid; every other member has a default (or is an optional object) and may go.
   */
  private static final List<Pattern> REQUIRED = Stream.of(
          "upstreams", "routes", "upstreams\\.(users|orders)", "upstreams\\.[a-z]+\\.endpoints",
          "routes\\[\\d+\\]\\.(name|match|upstream|aggregate)", "routes\\[\\d+\\]\\.match\\.(path|pathPrefix)",
          "routes\\[\\d+\\]\\.aggregate\\[\\d+\\]\\.(upstream|path|as)")
      .map(Pattern::compile).toList();

  static boolean required(String label) {
    return REQUIRED.stream().anyMatch(p -> p.matcher(label).matches());
  }

  /** One change to the example, and what must come of it. */
  record Mutation(String description, String text, Function<Outcome, String> verdict) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** The value at {@code place} replaced by {@code replacement}, of another type. */
  static Mutation replace(int placeIndex, String replacement) {
    J root = base();
    Place place = places(root).get(placeIndex);
    String before = place.value().toString();
    place.set(new JLiteral(replacement));
    String label = place.label();
    return new Mutation("replace " + label + " " + abbreviate(before) + " by " + replacement, root.toString(),
        outcome -> namesPathOrBelow(outcome, label));
  }

  /** The member at {@code place} deleted. */
  static Mutation delete(int placeIndex) {
    J root = base();
    Place place = places(root).get(placeIndex);
    String label = place.label();
    String key = place.key();
    ((JObject) place.container()).members().remove(place.index());
    boolean required = required(label);
    return new Mutation("delete " + label + (required ? " (required)" : " (optional)"), root.toString(), outcome -> {
      if (!required) {
        return outcome.valid() ? null : "optional member deleted, yet invalid: " + outcome.errors();
      }
      if (outcome.valid()) {
        return "required member deleted, yet valid";
      }
      String parent = parentLabel(label);
      boolean named = outcome.paths().stream().anyMatch(p -> p.equals(label) || p.equals(parent))
          || (label.startsWith("upstreams.") && outcome.errors().stream()
              .anyMatch(e -> e.endsWith("unknown upstream " + Json.encode(key))));
      return named ? null : "no error names " + label + " (or its object " + parent + "): " + outcome.errors();
    });
  }

  /** An unknown member added to the object at {@code objectPath}. */
  static Mutation addUnknown(int objectIndex, int position, String key, String value) {
    J root = base();
    Map.Entry<JObject, String> target = objects(root).get(objectIndex);
    JObject object = target.getKey();
    int at = Math.min(position, object.members().size());
    object.members().add(at, Map.entry(key, new JLiteral(value)));
    String parent = target.getValue().equals("$") ? "" : target.getValue();
    String label = childLabel(parent, key);
    boolean newUpstream = target.getValue().equals("upstreams");
    return new Mutation("add " + label + " = " + value + " at " + at, root.toString(), outcome -> {
      if (newUpstream) { // a member of "upstreams" is a new upstream, checked as one
        return namesPathOrBelow(outcome, label);
      }
      return outcome.errors().contains(label + ": unknown key") ? null
          : "expected \"" + label + ": unknown key\", got " + (outcome.valid() ? "a valid config" : outcome.errors());
    });
  }

  /** The member at {@code place} written twice, the second time with {@code value}. */
  static Mutation duplicate(int placeIndex, String value) {
    J root = base();
    Place place = places(root).get(placeIndex);
    String label = place.label();
    J second = value == null ? place.value().copy() : new JLiteral(value);
    ((JObject) place.container()).members().add(place.index() + 1, Map.entry(place.key(), second));
    return new Mutation("duplicate " + label + " with " + (value == null ? "the same value" : value),
        root.toString(), outcome -> outcome.errors().contains(label + ": duplicate key") ? null
            : "expected \"" + label + ": duplicate key\", got " + (outcome.valid() ? "a valid config" : outcome.errors()));
  }

  private static String namesPathOrBelow(Outcome outcome, String label) {
    if (outcome.valid()) {
      return "expected an error at " + label + ", got a valid config";
    }
    boolean named = outcome.paths().stream()
        .anyMatch(p -> p.equals(label) || p.startsWith(label + ".") || p.startsWith(label + "["));
    return named ? null : "no error names " + label + ": " + outcome.errors();
  }

  static void check(Mutation mutation) {
    checkUnguarded(mutation, parse(mutation.text()));
  }

  static void checkUnguarded(Mutation mutation) {
    checkUnguarded(mutation, parseUnguarded(mutation.text()));
  }

  private static void checkUnguarded(Mutation mutation, Outcome outcome) {
    String failure = mutation.verdict().apply(outcome);
    assertThat(failure).as("%s%n  text: %s", mutation, abbreviate(mutation.text())).isNull();
  }

  @Test
  void theExampleIsValid() {
    assertThat(parse(BASE).valid()).isTrue();
    assertThat(parse(base().toString()).config()).isEqualTo(parse(BASE).config());
  }

  /** Every value of the example replaced by each sample of every other type. */
  @Test
  void everyValueReplacedByEveryOtherTypeIsNamed() {
    guarded(Duration.ofSeconds(20), () -> {
      J root = base();
      List<Place> places = places(root);
      int checked = 0;
      for (int i = 0; i < places.size(); i++) {
        Kind kind = kindOf(places.get(i).value());
        for (Kind other : Kind.values()) {
          if (other == kind) {
            continue;
          }
          for (String sample : SAMPLES.get(other).subList(0, Math.min(3, SAMPLES.get(other).size()))) {
            checkUnguarded(replace(i, sample));
            checked++;
          }
        }
      }
      assertThat(checked).isGreaterThan(500);
    });
  }

  /** Every member of the example deleted: valid if it has a default, else named. */
  @Test
  void everyMemberDeletedIsNamedOrStillValid() {
    guarded(Duration.ofSeconds(20), () -> {
      List<Place> places = places(base());
      for (int i = 0; i < places.size(); i++) {
        if (places.get(i).container() instanceof JObject) {
          checkUnguarded(delete(i));
        }
      }
    });
  }

  /** Every member of the example written twice. */
  @Test
  void everyMemberDuplicatedIsNamed() {
    guarded(Duration.ofSeconds(20), () -> {
      List<Place> places = places(base());
      for (int i = 0; i < places.size(); i++) {
        if (places.get(i).container() instanceof JObject) {
          checkUnguarded(duplicate(i, null));
          checkUnguarded(duplicate(i, "null"));
        }
      }
    });
  }

  /** An unknown member in every object of the example. */
  @Test
  void anUnknownMemberInEveryObjectIsNamed() {
    guarded(Duration.ofSeconds(20), () -> {
      int count = objects(base()).size();
      for (int i = 0; i < count; i++) {
        for (String key : List.of("prot", "Server", "x y", "", "\u00fc", "__proto__", "${HOST}", "timeout")) {
          checkUnguarded(addUnknown(i, 0, key, "1"));
          checkUnguarded(addUnknown(i, 99, key, "{}"));
        }
      }
    });
  }

  private static final Set<String> ALL_KEYS = Set.copyOf(SCHEMA_KEYS);

  @Provide
  Arbitrary<Mutation> mutations() {
    J root = base();
    List<Place> places = places(root);
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < places.size(); i++) {
      if (places.get(i).container() instanceof JObject) {
        members.add(i);
      }
    }
    int objectCount = objects(root).size();
    Arbitrary<String> anyValue = Arbitraries.of(Kind.values())
        .flatMap(kind -> Arbitraries.of(SAMPLES.get(kind)));
    Arbitrary<String> unknownKeys = Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.of("prot", "endpoint", "retries", "Routes", "a b", "", "$", "\u2603")),
            Tuple.of(2, Arbitraries.strings().all().ofMaxLength(16)))
        .filter(k -> !ALL_KEYS.contains(k) && !k.equals("users") && !k.equals("orders"));

    Arbitrary<Mutation> replacements = Arbitraries.integers().between(0, places.size() - 1).flatMap(i -> {
      Kind kind = kindOf(places.get(i).value());
      return Arbitraries.of(Kind.values()).filter(k -> k != kind)
          .flatMap(other -> Arbitraries.of(SAMPLES.get(other)))
          .map(sample -> replace(i, sample));
    });
    Arbitrary<Mutation> deletions = Arbitraries.of(members).map(ConfigFuzzTest::delete);
    Arbitrary<Mutation> additions = Combinators.combine(
            Arbitraries.integers().between(0, objectCount - 1), Arbitraries.integers().between(0, 20),
            unknownKeys, anyValue)
        .as(ConfigFuzzTest::addUnknown);
    Arbitrary<Mutation> duplicates = Combinators.combine(Arbitraries.of(members),
            Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(2, anyValue)))
        .as(ConfigFuzzTest::duplicate);
    return Arbitraries.oneOf(replacements, deletions, additions, duplicates);
  }

  @Property(tries = 400, shrinking = ShrinkingMode.OFF)
  void randomMutationsOfAValidConfigAreNamedOrStillValid(@ForAll("mutations") Mutation mutation) {
    check(mutation);
  }

  // =============================================================================================
  // (c) truncated and garbled text
  // =============================================================================================

  @Test
  void everyTruncationIsInvalidJson() {
    for (String text : List.of(MINIMAL, base().toString(), BASE)) {
      guarded(Duration.ofSeconds(10), () -> {
        for (int cut = 0; cut < text.length(); cut++) {
          String prefix = text.substring(0, cut);
          Outcome outcome = parseUnguarded(prefix);
          if (prefix.strip().equals(text.strip())) {
            assertThat(outcome.valid()).as("only trailing whitespace cut: %d", cut).isTrue();
          } else {
            assertThat(outcome.errors()).as("cut at %d: %s", cut, abbreviate(prefix)).singleElement()
                .asString().startsWith("$: invalid JSON: ");
          }
        }
      });
    }
  }

  private static final String GARBAGE = "{}[],:\"\\0123456789-+.eE tfn\u0000";

  @Provide
  Arbitrary<byte[]> garbled() {
    byte[] original = BASE.getBytes(StandardCharsets.UTF_8);
    return Arbitraries.longs().map(seed -> {
      Random random = new Random(seed);
      byte[] bytes = original.clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(bytes.length);
        switch (random.nextInt(4)) {
          case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> bytes[at] = (byte) random.nextInt(256);
          case 2 -> bytes[at] = (byte) GARBAGE.charAt(random.nextInt(GARBAGE.length()));
          default -> {
            byte[] shorter = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shorter, 0, at);
            System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
            bytes = shorter;
          }
        }
      }
      return bytes;
    });
  }

  @Property(tries = 300, shrinking = ShrinkingMode.OFF)
  void garbledBytesGiveAConfigOrConfigErrors(@ForAll("garbled") byte[] bytes) throws IOException {
    Outcome parsed = parse(new String(bytes, StandardCharsets.UTF_8));
    Path file = Files.createTempFile("garbled", ".json");
    try {
      Files.write(file, bytes);
      Outcome loaded = load(file);
      if (isUtf8(bytes)) {
        assertThat(loaded.valid()).isEqualTo(parsed.valid());
        assertThat(loaded.errors()).isEqualTo(parsed.errors());
      } else {
        assertThat(loaded.errors()).containsExactly("$: invalid JSON: not valid UTF-8 text");
      }
    } finally {
      Files.delete(file);
    }
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void invalidUtf8IsOneConfigError(@TempDir Path dir) throws IOException {
    byte[] bytes = BASE.getBytes(StandardCharsets.UTF_8);
    for (int at : new int[] {0, 1, 100, bytes.length - 1}) {
      byte[] broken = bytes.clone();
      broken[at] = (byte) 0xC3; // a lead byte followed by ASCII
      Path file = Files.write(dir.resolve("broken-" + at + ".json"), broken);
      assertThat(load(file).errors()).containsExactly("$: invalid JSON: not valid UTF-8 text");
    }
  }

  /**
   * Loads {@code file} in under {@link #HUGE} of CPU time (and {@link #HANG} of wall-clock time);
   * anything thrown but a ConfigException, an OutOfMemoryError included, fails the test.
   */
  static Outcome load(Path file) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return checked(assertTimeoutPreemptively(HANG, () -> {
      long start = threads.getCurrentThreadCpuTime();
      Outcome outcome;
      try {
        outcome = new Outcome(ConfigFiles.load(file, ENV), List.of());
      } catch (ConfigException e) {
        outcome = new Outcome(null, e.errors());
      }
      long cpuMillis = (threads.getCurrentThreadCpuTime() - start) / 1_000_000;
      assertThat(cpuMillis).as("CPU milliseconds to load %s", file).isLessThan(HUGE.toMillis());
      return outcome;
    }, () -> "no answer within " + HANG + " for " + file), file.toString());
  }

  // =============================================================================================
  // (d) 10 MB documents
  // =============================================================================================

  @TempDir
  Path tempDir;

  private static final String UPSTREAM_A = "\"upstreams\":{\"a\":{\"endpoints\":[\"http://127.0.0.1:1\"]}}";
  private static final String ROUTE_A = "{\"name\":\"r\",\"match\":{\"pathPrefix\":\"/\"},\"upstream\":\"a\"}";

  /** Writes a document of at least 10 MB made of {@code head}, items made by {@code item}, {@code tail}. */
  private Path tenMegabytes(String name, String head, Function<Integer, String> item, String separator, String tail)
      throws IOException {
    return document(name, TEN_MB, head, item, separator, tail);
  }

  /**
   * Writes a document of at least {@code size} characters. Shapes that only need to be wide (a
   * quadratic walk shows long before 10 MB) are kept smaller, so the whole class stays fast.
   */
  private Path document(String name, int size, String head, Function<Integer, String> item, String separator,
      String tail) throws IOException {
    StringBuilder text = new StringBuilder(size + 1024).append(head);
    for (int i = 0; text.length() < size; i++) {
      if (i > 0) {
        text.append(separator);
      }
      text.append(item.apply(i));
    }
    text.append(tail);
    return Files.writeString(tempDir.resolve(name + ".json"), text);
  }

  @Test
  void tenMegabytesOfRoutesLoad() throws IOException {
    Path file = tenMegabytes("routes", "{" + UPSTREAM_A + ",\"routes\":[",
        i -> "{\"name\":\"r" + i + "\",\"match\":{\"pathPrefix\":\"/p" + i + "\",\"methods\":[\"GET\"]},"
            + "\"upstream\":\"a\",\"timeoutMs\":" + (1 + i % 5000) + "}",
        ",", "]}");
    Outcome outcome = load(file);
    assertThat(outcome.errors()).isEmpty();
    assertThat(outcome.config().routes()).hasSizeGreaterThan(100_000);
  }

  @Test
  void tenMegabytesOfBrokenRoutesFail() throws IOException {
    Path file = tenMegabytes("bad-routes", "{" + UPSTREAM_A + ",\"routes\":[",
        i -> "{\"name\":\"r\",\"match\":{\"pathPrefix\":\"x\"},\"upstream\":\"b\",\"timeoutMs\":-1}", ",", "]}");
    Outcome outcome = load(file);
    assertThat(outcome.valid()).isFalse();
    assertThat(outcome.errors()).first().asString()
        .isEqualTo("routes[0].match.pathPrefix: must start with \"/\", got \"x\"");
  }

  @Test
  void aTenMegabyteStringLoads() throws IOException {
    String name = "n".repeat(TEN_MB);
    Path file = Files.writeString(tempDir.resolve("string.json"),
        "{" + UPSTREAM_A + ",\"routes\":[" + ROUTE_A.replace("\"r\"", "\"" + name + "\"") + "]}");
    Outcome outcome = load(file);
    assertThat(outcome.config().routes().get(0).name()).hasSize(TEN_MB);
  }

  @Test
  void aTenMegabyteStringWhereItDoesNotBelongFails() throws IOException {
    String junk = "${".repeat(TEN_MB / 4) + "\u00e9".repeat(TEN_MB / 4);
    Path file = Files.writeString(tempDir.resolve("bad-string.json"),
        "{\"server\":{\"port\":" + quote(junk) + "}," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
    assertThat(load(file).paths()).contains("server.port");
  }

  @Test
  void aTenMegabyteNumberFails() throws IOException {
    for (String number : List.of("9".repeat(TEN_MB), "0." + "1".repeat(TEN_MB), "1e" + "9".repeat(TEN_MB))) {
      Path file = Files.writeString(tempDir.resolve("number.json"),
          "{\"server\":{\"port\":" + number + "}," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
      assertThat(load(file).valid()).isFalse();
    }
  }

  @Test
  void aWideObjectOfUnknownKeysFails() throws IOException {
    Path file = document("unknown-keys", THREE_MB, "{\"server\":{", i -> "\"k" + i + "\":" + i, ",",
        "}," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
    Outcome outcome = load(file);
    assertThat(outcome.errors()).first().asString().isEqualTo("server.k0: unknown key");
    // Hundreds of thousands of problems: the first thousand, then how many more there are.
    assertThat(outcome.errors()).hasSize(Problems.MAX_REPORTED + 1);
    assertThat(outcome.errors().get(Problems.MAX_REPORTED - 1)).isEqualTo("server.k999: unknown key");
    assertThat(outcome.errors().get(Problems.MAX_REPORTED)).matches("\\$: [0-9]+ more problems not shown");
  }

  @Test
  void aWideObjectOfDuplicateKeysFails() throws IOException {
    Path file = document("duplicate-keys", THREE_MB, "{\"server\":{", i -> "\"port\":" + (i % 65536), ",",
        "}," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
    assertThat(load(file).errors()).contains("server.port: duplicate key");
  }

  @Test
  void aLongListOfEndpointsLoads() throws IOException {
    Path file = document("endpoints", THREE_MB, "{\"upstreams\":{\"a\":{\"endpoints\":[",
        i -> "\"http://h" + (i / 65535) + ":" + (1 + i % 65535) + "\"", ",", "]}},\"routes\":[" + ROUTE_A + "]}");
    Outcome outcome = load(file);
    assertThat(outcome.errors()).isEmpty();
    assertThat(outcome.config().upstreams().get("a").endpoints()).hasSizeGreaterThan(50_000);
  }

  @Test
  void aLongListOfDuplicateEndpointsFails() throws IOException {
    Path file = document("duplicate-endpoints", THREE_MB, "{\"upstreams\":{\"a\":{\"endpoints\":[",
        i -> "\"http://h:" + (1 + i % 7) + "\"", ",", "]}},\"routes\":[" + ROUTE_A + "]}");
    assertThat(load(file).errors()).contains("upstreams.a.endpoints[7]: duplicate endpoint \"http://h:1\"");
  }

  @Test
  void aLongListOfUpstreamsLoads() throws IOException {
    Path file = document("upstreams", THREE_MB, "{\"upstreams\":{",
        i -> "\"u" + i + "\":{\"endpoints\":[\"http://127.0.0.1:" + (1 + i % 65535) + "\"]}", ",",
        "},\"routes\":[" + ROUTE_A.replace("\"a\"", "\"u0\"") + "]}");
    Outcome outcome = load(file);
    assertThat(outcome.errors()).isEmpty();
    assertThat(outcome.config().upstreams()).hasSizeGreaterThan(50_000);
  }

  @Test
  void aLongListOfBadEnvironmentReferencesFails() throws IOException {
    Path file = document("env", THREE_MB, "{\"upstreams\":{\"a\":{\"endpoints\":[",
        i -> i % 2 == 0 ? "\"${NOPE" + i + "}\"" : "\"${bad name}\"", ",", "]}},\"routes\":[" + ROUTE_A + "]}");
    assertThat(load(file).errors()).first().asString()
        .isEqualTo("upstreams.a.endpoints[0]: environment variable \"NOPE0\" is not set");
  }

  /** Long member names nested as deep as allowed, with many problems down there. */
  @Test
  void deepLongPathsWithManyProblemsFail() throws IOException {
    String key = "k".repeat(200);
    StringBuilder head = new StringBuilder("{" + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "],\"x\":");
    int depth = 250;
    head.append(("{\"" + key + "\":").repeat(depth)).append('{');
    Path file = tenMegabytes("deep-and-wide", head.toString(),
        i -> "\"d" + (i / 2) + "\":\"${NOPE}\"", ",", "}" + "}".repeat(depth) + "}");
    Outcome outcome = load(file);
    assertThat(outcome.valid()).isFalse();
    assertThat(outcome.errors()).first().asString().isEqualTo("x: unknown key");
  }

  // =============================================================================================
  // (e) deep nesting
  // =============================================================================================

  @Test
  void nestingAHundredThousandLevelsIsInvalidJson() {
    int levels = 100_000;
    for (String text : List.of(
        "[".repeat(levels),
        "[".repeat(levels) + "]".repeat(levels),
        "{\"a\":".repeat(levels) + "1" + "}".repeat(levels),
        "{\"server\":" + "[{\"\":".repeat(levels / 2),
        "{" + UPSTREAM_A + ",\"routes\":" + "[".repeat(levels) + "]".repeat(levels) + "}")) {
      assertThat(parse(text).errors()).as(abbreviate(text)).singleElement().asString()
          .startsWith("$: invalid JSON: nesting deeper than");
    }
  }

  @Test
  void nestingJustWithinTheLimitIsReadAndReported() {
    // As deep as the reader allows, under a key the schema reads and under one it does not.
    for (int depth = 240; depth <= 260; depth++) {
      String nested = "[".repeat(depth) + "\"${NOPE}\"" + "]".repeat(depth);
      parse("{\"server\":{\"host\":" + nested + "}," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
      parse("{\"x\":" + nested + "," + UPSTREAM_A + ",\"routes\":[" + ROUTE_A + "]}");
      parse("{\"server\":" + "{\"a\":".repeat(depth) + "0" + "}".repeat(depth) + "}");
    }
  }
}
