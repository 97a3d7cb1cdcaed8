package io.portcullis.trace.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.portcullis.config.Endpoint;
import io.portcullis.trace.FinishedSpan;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Span attributes by the OpenTelemetry HTTP semantic conventions, exactly. */
class SpanAttributesTest {

  private static FinishedSpan server(String method, int status, String scheme, String host, String path, String route) {
    return new FinishedSpan(1, 2, 3, 0, FinishedSpan.Kind.SERVER, 10, 20, method, status, status >= 500, scheme, host,
        path, route, null, null, 0);
  }

  private static FinishedSpan client(String method, int status, boolean error, Endpoint endpoint, int attempt) {
    return new FinishedSpan(1, 2, 4, 3, FinishedSpan.Kind.CLIENT, 10, 20, method, status, error, null, null, null, null,
        "users", endpoint, attempt);
  }

  /** The attributes as key name to value, for exact comparison. */
  private static Map<String, Object> map(Attributes attributes) {
    Map<String, Object> out = new LinkedHashMap<>();
    attributes.forEach((AttributeKey<?> key, Object value) -> out.put(key.getKey(), value));
    return out;
  }

  @Test
  void theServerSpanHasMethodSchemePathRouteStatusAndHost() {
    assertThat(map(SpanAttributes.of(server("GET", 200, "https", "api.example.com:8443", "/api/users/7",
        "/api/users/*")))).isEqualTo(Map.of(
            "http.request.method", "GET",
            "url.scheme", "https",
            "url.path", "/api/users/7",
            "http.route", "/api/users/*",
            "http.response.status_code", 200L,
            "server.address", "api.example.com",
            "server.port", 8443L));
  }

  @Test
  void aHostWithoutPortGetsTheSchemesDefaultPort() {
    assertThat(map(SpanAttributes.of(server("GET", 200, "http", "api.example.com", "/", null))))
        .containsEntry("server.address", "api.example.com").containsEntry("server.port", 80L)
        .doesNotContainKey("http.route");
    assertThat(map(SpanAttributes.of(server("GET", 200, "https", "[2001:db8::1]", "/", null))))
        .containsEntry("server.address", "2001:db8::1").containsEntry("server.port", 443L);
    assertThat(map(SpanAttributes.of(server("GET", 200, "http", "[::1]:8080", "/", null))))
        .containsEntry("server.address", "::1").containsEntry("server.port", 8080L);
  }

  @Test
  void aMalformedHostGivesNoAddressOrNoPort() {
    assertThat(map(SpanAttributes.of(server("GET", 200, "http", "[::1", "/", null))))
        .doesNotContainKeys("server.address", "server.port");
    assertThat(map(SpanAttributes.of(server("GET", 200, "http", ":8080", "/", null))))
        .doesNotContainKeys("server.address", "server.port");
    assertThat(map(SpanAttributes.of(server("GET", 200, "http", "host:99999", "/", null))))
        .containsEntry("server.address", "host").doesNotContainKey("server.port");
  }

  @Test
  void aServerErrorCarriesItsStatusAsTheErrorType() {
    assertThat(map(SpanAttributes.of(server("POST", 503, "http", null, "/x", "/x"))))
        .containsEntry("error.type", "503").containsEntry("http.response.status_code", 503L)
        .doesNotContainKeys("server.address", "server.port");
  }

  @Test
  void anUnknownMethodIsOtherWithTheOriginalKept() {
    assertThat(map(SpanAttributes.of(server("PURGE", 200, "http", null, "/x", null))))
        .containsEntry("http.request.method", "_OTHER").containsEntry("http.request.method_original", "PURGE");
  }

  @Test
  void theFirstAttemptNamesTheEndpointAndThePeerService() {
    assertThat(map(SpanAttributes.of(client("GET", 200, false, new Endpoint("http", "10.0.0.7", 9001), 1))))
        .isEqualTo(Map.of(
            "http.request.method", "GET",
            "http.response.status_code", 200L,
            "server.address", "10.0.0.7",
            "server.port", 9001L,
            "network.protocol.version", "1.1",
            "peer.service", "users"));
  }

  @Test
  void aRetryCarriesItsResendCount() {
    assertThat(map(SpanAttributes.of(client("GET", 200, false, new Endpoint("http", "a", 1), 3))))
        .containsEntry("http.request.resend_count", 2L);
    assertThat(map(SpanAttributes.of(client("GET", 200, false, new Endpoint("http", "a", 1), 1))))
        .doesNotContainKey("http.request.resend_count");
  }

  @Test
  void aFailedAttemptWithoutResponseHasTheOtherErrorTypeAndNoStatus() {
    assertThat(map(SpanAttributes.of(client("GET", 0, true, new Endpoint("http", "a", 1), 2))))
        .containsEntry("error.type", "_OTHER").doesNotContainKey("http.response.status_code");
    assertThat(map(SpanAttributes.of(client("GET", 500, true, new Endpoint("http", "a", 1), 1))))
        .containsEntry("error.type", "500");
  }

  @Test
  void noPortcullisSpecificAttributeIsLeft() {
    Map<String, Object> all = new LinkedHashMap<>(map(SpanAttributes.of(client("GET", 502, true,
        new Endpoint("https", "b", 443), 2))));
    all.putAll(map(SpanAttributes.of(server("GET", 502, "https", "h", "/p", "/p"))));

    assertThat(all.keySet()).noneMatch(key -> key.startsWith("portcullis."));
  }
}
