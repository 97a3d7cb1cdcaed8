package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenTelemetry environment variables, read from an injected environment. */
class OtelEnvironmentTest {

  private static OtelEnvironment read(String... nameValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      env.put(nameValues[i], nameValues[i + 1]);
    }
    return OtelEnvironment.read(env::get);
  }

  @Test
  void nothingSetReadsAsNothingSet() {
    assertThat(read()).isEqualTo(OtelEnvironment.EMPTY);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "http://collector:4318|http://collector:4318/v1/traces",
      "http://collector:4318/|http://collector:4318/v1/traces",
      "https://otlp.example.com/ingest|https://otlp.example.com/ingest/v1/traces",
      "https://otlp.example.com/ingest/|https://otlp.example.com/ingest/v1/traces",
      "http://[::1]:4318|http://[::1]:4318/v1/traces",
      "http://collector:4318?tenant=a|http://collector:4318/v1/traces?tenant=a",
      "HTTP://collector:4318|http://collector:4318/v1/traces"})
  void theGenericEndpointGetsTheTracesPathAppended(String base, String expected) {
    OtelEnvironment env = read(OtelEnvironment.ENDPOINT, base);

    assertThat(env.endpoint()).isEqualTo(expected);
    assertThat(env.endpointVariable()).isEqualTo(OtelEnvironment.ENDPOINT);
    assertThat(env.warnings()).isEmpty();
  }

  @Test
  void theTracesEndpointIsUsedAsItIsAndWinsOverTheGenericOne() {
    OtelEnvironment env = read(OtelEnvironment.TRACES_ENDPOINT, "http://traces:4318/custom",
        OtelEnvironment.ENDPOINT, "http://generic:4318");

    assertThat(env.endpoint()).isEqualTo("http://traces:4318/custom");
    assertThat(env.endpointVariable()).isEqualTo(OtelEnvironment.TRACES_ENDPOINT);
  }

  @Test
  void aMalformedTracesEndpointIsIgnoredWithOneWarningAndTheGenericOneApplies() {
    OtelEnvironment env = read(OtelEnvironment.TRACES_ENDPOINT, "collector:4318",
        OtelEnvironment.ENDPOINT, "http://generic:4318");

    assertThat(env.endpoint()).isEqualTo("http://generic:4318/v1/traces");
    assertThat(env.warnings()).containsExactly("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: \"collector:4318\" is not an"
        + " http(s) URL like \"http://collector:4318\"; ignored");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"ftp://collector:21", "http://", "not a url", "http://bad host:4318", "/v1/traces"})
  void anEndpointThatIsNotAnHttpUrlIsIgnored(String value) {
    OtelEnvironment env = read(OtelEnvironment.ENDPOINT, value);

    assertThat(env.endpoint()).isNull();
    assertThat(env.warnings()).singleElement().asString().startsWith("OTEL_EXPORTER_OTLP_ENDPOINT: ").endsWith("ignored");
  }

  @Test
  void headersAreKeyValuePairsWithPercentDecodedValues() {
    OtelEnvironment env = read(OtelEnvironment.HEADERS,
        " api-key = s%20cr%3Dt , x-tenant=a+b,,Authorization=Basic%20dXNlcjpwYXNz%3D ");

    assertThat(env.headers()).containsExactly(Map.entry("api-key", "s cr=t"),
        Map.entry("x-tenant", "a+b"), Map.entry("Authorization", "Basic dXNlcjpwYXNz="));
    assertThat(env.headersVariable()).isEqualTo(OtelEnvironment.HEADERS);
    assertThat(env.warnings()).isEmpty();
  }

  @Test
  void theTracesHeadersReplaceTheGenericOnes() {
    OtelEnvironment env = read(OtelEnvironment.TRACES_HEADERS, "a=1", OtelEnvironment.HEADERS, "b=2");

    assertThat(env.headers()).containsExactly(Map.entry("a", "1"));
    assertThat(env.headersVariable()).isEqualTo(OtelEnvironment.TRACES_HEADERS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "api-key:secret-value|member 1 has no '=' (expected key=value)",
      "good=1,bad key=secret-value|member 2 has a key that is not a header name",
      "=secret-value|member 1 has a key that is not a header name",
      "k=secret-value%2|member 1 (k) has a '%' not followed by two hex digits in its value",
      "k=secret-value%zz|member 1 (k) has a '%' not followed by two hex digits in its value",
      "k=secret-value%0A|member 1 (k) has a character other than printable ASCII in its value",
      "k=secret-value%C3%A9|member 1 (k) has a character other than printable ASCII in its value",
      "k=secret-valueé|member 1 (k) has a character other than printable ASCII in its value",
      "Host=secret-value|member 1 (Host) names a header the exporter sets itself",
      "content-type=secret-value|member 1 (content-type) names a header the exporter sets itself",
      "k=1,K=secret-value|member 2 (K) repeats a header given before"})
  void malformedHeadersAreIgnoredWholeWithOneWarningThatShowsNoValue(String value, String problem) {
    OtelEnvironment env = read(OtelEnvironment.HEADERS, value);

    assertThat(env.headers()).isEmpty();
    assertThat(env.headersVariable()).isNull();
    assertThat(env.warnings()).containsExactly("OTEL_EXPORTER_OTLP_HEADERS: " + problem + "; the variable is ignored");
    assertThat(env.warnings().get(0)).doesNotContain("secret-value");
  }

  @Test
  void malformedTracesHeadersFallBackToTheGenericOnes() {
    OtelEnvironment env = read(OtelEnvironment.TRACES_HEADERS, "nope", OtelEnvironment.HEADERS, "b=2");

    assertThat(env.headers()).containsExactly(Map.entry("b", "2"));
    assertThat(env.warnings()).hasSize(1);
  }

  @Test
  void theServiceNameAndTheSamplerArgumentAreRead() {
    OtelEnvironment env = read(OtelEnvironment.SERVICE_NAME, " edge-eu ", OtelEnvironment.SAMPLER_ARG, "0.25");

    assertThat(env.serviceName()).isEqualTo("edge-eu");
    assertThat(env.sampleRatio()).isEqualTo(0.25);
  }

  @ParameterizedTest
  @CsvSource({"1.5", "-0.1", "NaN", "a quarter", "0x1p-2junk"})
  void aSamplerArgumentThatIsNotARatioIsIgnored(String value) {
    OtelEnvironment env = read(OtelEnvironment.SAMPLER_ARG, value);

    assertThat(env.sampleRatio()).isNull();
    assertThat(env.warnings()).containsExactly(
        "OTEL_TRACES_SAMPLER_ARG: \"" + value + "\" is not a ratio between 0 and 1; ignored");
  }

  @Test
  void theExporterIsOtlpOrNoneInAnyCase() {
    assertThat(read(OtelEnvironment.TRACES_EXPORTER, "OTLP").exporterOtlp()).isTrue();
    assertThat(read(OtelEnvironment.TRACES_EXPORTER, "none").exporterOtlp()).isFalse();
    OtelEnvironment zipkin = read(OtelEnvironment.TRACES_EXPORTER, "zipkin");
    assertThat(zipkin.exporterOtlp()).isNull();
    assertThat(zipkin.warnings()).containsExactly(
        "OTEL_TRACES_EXPORTER: \"zipkin\" is not supported (expected otlp or none); ignored");
  }

  @Test
  void aProtocolOtherThanHttpProtobufIsWarnedAbout() {
    assertThat(read(OtelEnvironment.PROTOCOL, "http/protobuf").warnings()).isEmpty();
    assertThat(read(OtelEnvironment.TRACES_PROTOCOL, "grpc").warnings()).containsExactly(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: \"grpc\" is not supported; spans are sent as http/protobuf");
  }

  @Test
  void emptyValuesCountAsUnset() {
    OtelEnvironment env = read(OtelEnvironment.ENDPOINT, "", OtelEnvironment.HEADERS, "  ",
        OtelEnvironment.SERVICE_NAME, "", OtelEnvironment.SAMPLER_ARG, "", OtelEnvironment.TRACES_EXPORTER, " ");

    assertThat(env).isEqualTo(OtelEnvironment.EMPTY);
  }

  @Test
  void everyProblemIsReportedOnceInTheOrderRead() {
    OtelEnvironment env = read(OtelEnvironment.TRACES_EXPORTER, "jaeger", OtelEnvironment.ENDPOINT, "nope",
        OtelEnvironment.HEADERS, "x", OtelEnvironment.SAMPLER_ARG, "2");

    assertThat(env.warnings()).extracting(w -> w.substring(0, w.indexOf(':'))).isEqualTo(List.of(
        "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_TRACES_SAMPLER_ARG"));
  }
}
