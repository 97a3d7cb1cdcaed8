package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.TracingConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    TracingConfig file = ConfigLoader.parse(json, name -> null).tracing();
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
  void theLoggedFormShowsHeaderNamesButNeverTheirValues() throws Exception {
    TracingSettings s = settings(null, OtelEnvironment.HEADERS, "Authorization=Bearer%20very-secret");

    assertThat(s.toString()).contains("Authorization").doesNotContain("very-secret");
  }
}
