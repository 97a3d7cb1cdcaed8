package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.TracingConfig;
import io.portcullis.testkit.LogCapture;
import io.vertx.core.MultiMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The file's {@code tracing} section completed from the environment, read through the real
 * configuration loader: the file wins where it gives a value other than the default.
 */
class TracingSettingsTest {

  private static final String ROUTES = "\"upstreams\":{\"u\":{\"endpoints\":[\"http://127.0.0.1:9\"]}},"
      + "\"routes\":[{\"name\":\"r\",\"match\":{\"pathPrefix\":\"/\"},\"upstream\":\"u\"}]";

  private static TracingSettings settings(String tracingJson, String... nameValues) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      env.put(nameValues[i], nameValues[i + 1]);
    }
    String json = "{" + (tracingJson == null ? "" : "\"tracing\":" + tracingJson + ",") + ROUTES + "}";
    TracingConfig file = ConfigFiles.parse(json, name -> null).tracing();
    return TracingSettings.resolve(file, OtelEnvironment.read(env::get));
  }

  @Test
  void withoutFileSettingsOrVariablesTheDefaultsApply() throws Exception {
    TracingSettings s = settings(null);

    assertThat(s).isEqualTo(new TracingSettings(true, false, "http://localhost:4318/v1/traces", Map.of(),
        "portcullis", 1.0, List.of()));
  }

  @Test
  void variablesFillWhatTheFileLeavesOut() throws Exception {
    TracingSettings s = settings("{\"exporter\":\"otlp\"}",
        OtelEnvironment.ENDPOINT, "http://collector:4318", OtelEnvironment.HEADERS, "api-key=k1",
        OtelEnvironment.SERVICE_NAME, "edge-eu", OtelEnvironment.SAMPLER_ARG, "0.1");

    assertThat(s).isEqualTo(new TracingSettings(true, true, "http://collector:4318/v1/traces", Map.of("api-key", "k1"),
        "edge-eu", 0.1, List.of(OtelEnvironment.ENDPOINT, OtelEnvironment.HEADERS, OtelEnvironment.SERVICE_NAME,
            OtelEnvironment.SAMPLER_ARG)));
  }

  @Test
  void theFileWinsWhereBothAreSet() throws Exception {
    TracingSettings s = settings("{\"exporter\":\"otlp\",\"otlpEndpoint\":\"http://file:4318/v1/traces\","
            + "\"serviceName\":\"from-file\",\"sampleRatio\":0.5}",
        OtelEnvironment.ENDPOINT, "http://collector:4318", OtelEnvironment.SERVICE_NAME, "edge-eu",
        OtelEnvironment.SAMPLER_ARG, "0.1", OtelEnvironment.TRACES_EXPORTER, "none");

    assertThat(s.export()).isTrue();
    assertThat(s.endpoint()).isEqualTo("http://file:4318/v1/traces");
    assertThat(s.serviceName()).isEqualTo("from-file");
    assertThat(s.sampleRatio()).isEqualTo(0.5);
    assertThat(s.fromEnvironment()).isEmpty();
  }

  @Test
  void anEndpointVariableAloneDoesNotTurnExportOn() throws Exception {
    TracingSettings s = settings(null, OtelEnvironment.ENDPOINT, "http://collector:4318");

    assertThat(s.export()).isFalse();
    assertThat(s.endpoint()).isEqualTo("http://collector:4318/v1/traces");
  }

  @Test
  void theExporterVariableTurnsExportOnWhenTheFileLeavesItAtNone() throws Exception {
    assertThat(settings(null, OtelEnvironment.TRACES_EXPORTER, "otlp").export()).isTrue();
    assertThat(settings("{\"exporter\":\"none\"}", OtelEnvironment.TRACES_EXPORTER, "otlp").export()).isTrue();
    assertThat(settings("{\"exporter\":\"otlp\"}", OtelEnvironment.TRACES_EXPORTER, "none").export()).isTrue();
    assertThat(settings(null, OtelEnvironment.TRACES_EXPORTER, "none").export()).isFalse();
  }

  @Test
  void aValueTheFileWritesAsItsDefaultTakesTheVariable() throws Exception {
    TracingSettings s = settings("{\"serviceName\":\"portcullis\",\"sampleRatio\":1.0}",
        OtelEnvironment.SERVICE_NAME, "edge-eu", OtelEnvironment.SAMPLER_ARG, "0.2");

    assertThat(s.serviceName()).isEqualTo("edge-eu");
    assertThat(s.sampleRatio()).isEqualTo(0.2);
  }

  @Test
  void malformedVariablesLeaveTheFileOrTheDefaults() throws Exception {
    TracingSettings s = settings("{\"exporter\":\"otlp\"}", OtelEnvironment.ENDPOINT, "collector",
        OtelEnvironment.HEADERS, "broken", OtelEnvironment.SAMPLER_ARG, "lots");

    assertThat(s).isEqualTo(new TracingSettings(true, true, "http://localhost:4318/v1/traces", Map.of(),
        "portcullis", 1.0, List.of()));
  }

  @Test
  void anEndpointVariableWithExportOffSaysSoInOneLineAndLoadsNoExporter() throws Exception {
    GatewayConfig config = ConfigFiles.parse("{" + ROUTES + "}", name -> null);
    Map<String, String> env = Map.of(OtelEnvironment.ENDPOINT, "http://collector:4318");
    try (LogCapture lines = LogCapture.of("portcullis.events")) {
      Tracing tracing = Tracing.create(config, env::get, new SplittableRandom(1), null);

      assertThat(tracing.settings().export()).isFalse();
      assertThat(tracing.start(MultiMap.caseInsensitiveMultiMap()).sampled()).isTrue();
      assertThat(lines.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
          "tracing: OTEL_EXPORTER_OTLP_ENDPOINT is set, but span export is off: set tracing.exporter to \"otlp\""
              + " or OTEL_TRACES_EXPORTER=otlp to export");
    }
  }

  @Test
  void aWarningIsLoggedAgainOnlyWhenTheEnvironmentsProblemsChange() throws Exception {
    GatewayConfig config = ConfigFiles.parse("{" + ROUTES + "}", name -> null);
    Map<String, String> env = new HashMap<>(Map.of(OtelEnvironment.SAMPLER_ARG, "many"));
    try (LogCapture lines = LogCapture.of("portcullis.events")) {
      Tracing first = Tracing.create(config, env::get, new SplittableRandom(1), null);
      Tracing second = Tracing.create(config, env::get, new SplittableRandom(1), first);
      env.put(OtelEnvironment.SAMPLER_ARG, "more");
      Tracing.create(config, env::get, new SplittableRandom(1), second);

      assertThat(lines.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
          "tracing: OTEL_TRACES_SAMPLER_ARG: \"many\" is not a ratio between 0 and 1; ignored",
          "tracing: OTEL_TRACES_SAMPLER_ARG: \"more\" is not a ratio between 0 and 1; ignored");
    }
  }

  @Test
  void tracingTurnedOffReadsNoVariable() throws Exception {
    GatewayConfig config = ConfigFiles.parse("{\"tracing\":{\"enabled\":false}," + ROUTES + "}", name -> null);

    assertThat(Tracing.create(config, name -> {
      throw new AssertionError("read " + name);
    }, new SplittableRandom(1), null)).isSameAs(Tracing.DISABLED);
  }

  @Test
  void theLoggedFormShowsHeaderNamesButNeverTheirValues() throws Exception {
    TracingSettings s = settings(null, OtelEnvironment.HEADERS, "Authorization=Bearer%20very-secret");

    assertThat(s.toString()).contains("Authorization").doesNotContain("very-secret");
  }
}
