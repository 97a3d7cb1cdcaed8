package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * schema/portcullis.schema.json (JSON Schema 2020-12) accepts every configuration the project
 * ships (conf/gateway.json and .yaml, every conf/examples file, the Kubernetes ConfigMap's) and
 * the printed form of random valid configurations, and rejects every document the loader rejects
 * for a type error, a value outside its choices or an unknown key: the loader's error table and
 * the fuzz test's mutations drive it.
 */
class ConfigSchemaTest {

  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  /** The loader's messages for what the schema must refuse too. */
  private static final Pattern SCHEMA_RULE = Pattern.compile(
      ": (must be an? (integer|string|boolean|number|object|array|JSON object), got |unknown key$|must be one of )");

  private static final Validator VALIDATOR = validator();

  private static Validator validator() {
    try {
      JsonObject schema = new JsonObject(Files.readString(ROOT.resolve("schema/portcullis.schema.json")));
      return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions()
          .setDraft(Draft.DRAFT202012)
          .setBaseUri("https://portcullis.invalid/")
          .setOutputFormat(OutputFormat.Basic));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The schema's verdict on a JSON text (numbers read as Vert.x reads them). */
  private static OutputUnit validate(String json) {
    Object instance = Json.decodeValue(json);
    return VALIDATOR.validate(instance);
  }

  /** A YAML text as the gateway reads it, then as JSON. */
  private static String yamlAsJson(String yaml) throws Exception {
    return Json.encode(DocumentReader.read(ConfigFormat.YAML.parser(yaml), ConfigFormat.YAML).value());
  }

  static Stream<Path> shippedJson() throws IOException {
    List<Path> files = new ArrayList<>(List.of(ROOT.resolve("conf/gateway.json")));
    try (Stream<Path> examples = Files.list(ROOT.resolve("conf/examples"))) {
      examples.filter(f -> f.toString().endsWith(".json")).sorted().forEach(files::add);
    }
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shippedJson")
  void everyShippedJsonConfigIsValid(Path file) throws IOException {
    OutputUnit result = validate(Files.readString(file, StandardCharsets.UTF_8));

    assertThat(result.getValid()).as("%s: %s", file.getFileName(), result.getErrors()).isTrue();
  }

  @Test
  void theShippedYamlConfigIsValid() throws Exception {
    OutputUnit result = validate(yamlAsJson(Files.readString(ROOT.resolve("conf/gateway.yaml"))));

    assertThat(result.getValid()).as("%s", result.getErrors()).isTrue();
  }

  @Test
  void theKubernetesConfigMapsConfigIsValid() throws Exception {
    JsonObject configMap = new JsonObject(yamlAsJson(
        Files.readString(ROOT.resolve("deploy/kubernetes/configmap.yaml"))));
    String embedded = configMap.getJsonObject("data").getString("gateway.json");

    OutputUnit result = validate(embedded);

    assertThat(embedded).contains("\"upstreams\"");
    assertThat(result.getValid()).as("%s", result.getErrors()).isTrue();
  }

  @Test
  void theSchemaKeyAndSubstitutionsAreValid() {
    String json = ConfigLoaderTest.MINIMAL.replace("{\"upstreams\"",
        "{\"$schema\":\"../schema/portcullis.schema.json\",\"tracing\":{\"exporter\":\"${EXPORTER}\"},"
            + "\"upstreams\"");

    assertThat(validate(json).getValid()).isTrue();
    assertThat(validate(json.replace("\"${EXPORTER}\"", "\"zipkin\"")).getValid()).isFalse();
    assertThat(validate(ConfigLoaderTest.MINIMAL.replace("{\"upstreams\"", "{\"server\":{\"port\":\"${PORT}\"},"
        + "\"upstreams\"")).getValid()).as("a number cannot hold a substitution").isFalse();
  }

  @Test
  void printedRandomConfigurationsAreValid() {
    RandomConfigs random = new RandomConfigs(31L);
    for (int i = 0; i < 200; i++) {
      String json = ConfigLoader.toJson(random.next()).encode();

      OutputUnit result = validate(json);

      assertThat(result.getValid()).as("%s%n%s", result.getErrors(), json).isTrue();
    }
  }

  /**
   * Every default the schema states is the one the gateway fills in: walked along the printed
   * form of a configuration that gives every optional object but no value in it.
   */
  @Test
  void theSchemasDefaultsAreTheLoadersDefaults() throws Exception {
    JsonObject schema = new JsonObject(Files.readString(ROOT.resolve("schema/portcullis.schema.json")));
    String json = ("{'upstreams':{'u':{'endpoints':['http://127.0.0.1:1'],'healthCheck':{}}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u','rateLimit':{'requestsPerSecond':1},"
        + "'hedge':{'delayMs':5}}]}").replace('\'', '"');
    JsonObject printed = ConfigLoader.toJson(io.portcullis.configfile.ConfigFiles.parse(json, name -> null));

    List<String> compared = new ArrayList<>();
    compareDefaults(schema, schema, printed, "", compared);

    assertThat(compared).as("defaults compared").hasSizeGreaterThanOrEqualTo(60)
        .contains("server.port", "upstreams.u.retry.jitter", "upstreams.u.concurrency.mode", "routes[0].hedge.maxHedges");
  }

  private static void compareDefaults(JsonObject root, JsonObject schema, Object instance, String path,
      List<String> compared) {
    if (schema.containsKey("$ref")) {
      String ref = schema.getString("$ref");
      compareDefaults(root, root.getJsonObject("$defs").getJsonObject(ref.substring("#/$defs/".length())), instance,
          path, compared);
      return;
    }
    if (instance instanceof JsonObject object) {
      JsonObject properties = schema.getJsonObject("properties");
      if (properties != null) {
        for (String key : properties.fieldNames()) {
          JsonObject property = properties.getJsonObject(key);
          String child = path.isEmpty() ? key : path + "." + key;
          if (property.containsKey("default")) {
            assertThat(normalized(object.getValue(key))).as(child).isEqualTo(normalized(property.getValue("default")));
            compared.add(child);
          }
          if (object.containsKey(key)) {
            compareDefaults(root, property, object.getValue(key), child, compared);
          }
        }
      }
      if (schema.getValue("additionalProperties") instanceof JsonObject each) {
        for (String key : object.fieldNames()) {
          compareDefaults(root, each, object.getValue(key), path + "." + key, compared);
        }
      }
    } else if (instance instanceof io.vertx.core.json.JsonArray array && schema.containsKey("items")) {
      for (int i = 0; i < array.size(); i++) {
        compareDefaults(root, schema.getJsonObject("items"), array.getValue(i), path + "[" + i + "]", compared);
      }
    }
  }

  /** Numbers compared by value (10 and 10.0 alike). */
  private static Object normalized(Object value) {
    return value instanceof Number number ? (Object) number.doubleValue() : value;
  }

  static Stream<Arguments> typeAndKeyErrors() {
    return ConfigLoaderTest.badConfigs().filter(row -> {
      @SuppressWarnings("unchecked")
      List<String> errors = (List<String>) row.get()[2];
      return errors.stream().anyMatch(e -> SCHEMA_RULE.matcher(e).find());
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("typeAndKeyErrors")
  void whatTheLoaderRefusesForATypeOrAKeyTheSchemaRefuses(String story, String json, List<String> errors) {
    assertThat(validate(json).getValid()).as("the loader says %s", errors).isFalse();
  }

  @Test
  void everyValueOfTheExampleReplacedByAnotherTypeIsRefusedByBoth() {
    List<ConfigFuzzTest.Place> places = ConfigFuzzTest.places(ConfigFuzzTest.base());
    int checked = 0;
    for (int i = 0; i < places.size(); i++) {
      ConfigFuzzTest.Kind kind = ConfigFuzzTest.kindOf(places.get(i).value());
      for (ConfigFuzzTest.Kind other : ConfigFuzzTest.Kind.values()) {
        if (other == kind) {
          continue;
        }
        List<String> samples = ConfigFuzzTest.SAMPLES.get(other);
        for (String sample : samples.subList(0, Math.min(4, samples.size()))) {
          checked += agree(ConfigFuzzTest.replace(i, sample));
        }
      }
    }
    assertThat(checked).as("mutations the loader refuses for a type or a key").isGreaterThan(500);
  }

  @Test
  void anUnknownMemberInEveryObjectOfTheExampleIsRefusedByBoth() {
    int count = ConfigFuzzTest.objects(ConfigFuzzTest.base()).size();
    int checked = 0;
    for (int i = 0; i < count; i++) {
      for (String key : List.of("prot", "Server", "x y", "", "__proto__", "${HOST}", "timeout")) {
        checked += agree(ConfigFuzzTest.addUnknown(i, 0, key, "1"));
      }
    }
    assertThat(checked).isGreaterThan(100);
  }

  /** 1 if the loader refuses the mutation for a type or a key and the schema refuses it too; 0 if the loader does not. */
  private static int agree(ConfigFuzzTest.Mutation mutation) {
    ConfigFuzzTest.Outcome outcome = ConfigFuzzTest.parseUnguarded(mutation.text());
    if (outcome.valid() || outcome.errors().stream().noneMatch(e -> SCHEMA_RULE.matcher(e).find())) {
      return 0;
    }
    assertThat(validate(mutation.text()).getValid()).as("%s: the loader says %s", mutation, outcome.errors()).isFalse();
    return 1;
  }
}
