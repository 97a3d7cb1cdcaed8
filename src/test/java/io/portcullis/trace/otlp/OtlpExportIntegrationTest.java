package io.portcullis.trace.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.RefusedPort;
import io.portcullis.testkit.TestGateway;
import io.portcullis.trace.TraceParent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/HTTP export from a real gateway to a fake collector (a Vert.x server accepting
 * {@code POST} on any path), each export decoded as an {@code ExportTraceServiceRequest}: the
 * request's spans arrive with the ids sent upstream and the HTTP semantic-convention attributes,
 * settings come from the environment where the file leaves them out, queued spans are flushed at
 * shutdown, and a dead collector costs only dropped spans.
 */
@Timeout(60)
class OtlpExportIntegrationTest {

  @RegisterExtension
  final Closer toClose = new Closer();

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  /** What the collector received. */
  private record Export(String method, String path, String contentType, MultiMap headers, ExportTraceServiceRequest body) {
  }

  /** One received span with its resource's {@code service.name}. */
  private record Received(String serviceName, Span span) {
    Map<String, Object> attributes() {
      return OtlpExportIntegrationTest.attributes(span.getAttributesList());
    }
  }

  private Vertx vertx;
  private HttpServer collector;
  private final List<Export> exports = new CopyOnWriteArrayList<>();
  private FakeBackend backend;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    collector = Await.result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
      try {
        exports.add(new Export(req.method().name(), req.path(), req.getHeader("Content-Type"), headers,
            ExportTraceServiceRequest.parseFrom(body.getBytes())));
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
        return;
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      req.response().putHeader("Content-Type", "application/x-protobuf").end(Buffer.buffer());
    })).listen(0, "127.0.0.1"));
    backend = FakeBackend.ok("ok");
  }

  @AfterEach
  void stop() {
    backend.close();
    Await.result(vertx.close());
  }

  private String collectorUrl(String path) {
    return "http://127.0.0.1:" + collector.actualPort() + path;
  }

  private JsonObject config(JsonObject tracing) {
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    return tracing == null ? config : config.put("tracing", tracing);
  }

  private static RawHttp.Reply get(TestGateway gateway, String path, String headers) throws Exception {
    return RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: gateway\r\n" + headers
        + "Connection: close\r\n\r\n", 10_000);
  }

  private static Map<String, Object> attributes(List<KeyValue> list) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      AnyValue v = kv.getValue();
      out.put(kv.getKey(), switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> v.getIntValue();
        case BOOL_VALUE -> v.getBoolValue();
        case DOUBLE_VALUE -> v.getDoubleValue();
        default -> v.toString();
      });
    }
    return out;
  }

  private List<Received> received() {
    List<Received> spans = new ArrayList<>();
    for (Export export : exports) {
      for (ResourceSpans rs : export.body().getResourceSpansList()) {
        Object service = attributes(rs.getResource().getAttributesList()).get("service.name");
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            spans.add(new Received(String.valueOf(service), span));
          }
        }
      }
    }
    return spans;
  }

  /** Waits (the batch processor sends every second) until {@code count} spans of the trace arrived. */
  private List<Received> awaitSpans(String traceIdHex, int count) {
    byte[] traceId = HexFormat.of().parseHex(traceIdHex);
    Predicate<Received> ofTrace = r -> java.util.Arrays.equals(r.span().getTraceId().toByteArray(), traceId);
    Await.until(count + " spans of trace " + traceIdHex, 20_000,
        () -> received().stream().filter(ofTrace).count() >= count);
    List<Received> spans = received().stream().filter(ofTrace).toList();
    assertThat(spans).as("spans of trace " + traceIdHex).hasSize(count);
    return spans;
  }

  private static Received only(List<Received> spans, Span.SpanKind kind) {
    return spans.stream().filter(r -> r.span().getKind() == kind).findFirst().orElseThrow();
  }

  private static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Test
  void theRequestsSpansReachTheCollectorWithTheIdsSentUpstreamAndTheHttpConventions() throws Exception {
    try (TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
        .put("otlpEndpoint", collectorUrl("/v1/traces")).put("serviceName", "edge-under-test")), name -> null)) {
      RawHttp.Reply reply = get(gateway, "/exported", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n");
      assertThat(reply.status()).isEqualTo(200);
      TraceParent sent = TraceParent.parse(backend.seen().get(0).header("traceparent"));

      List<Received> spans = awaitSpans(TRACE_ID, 2);
      assertThat(exports).allSatisfy(e -> {
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.path()).isEqualTo("/v1/traces");
        assertThat(e.contentType()).isEqualTo("application/x-protobuf");
      });
      Received server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
      Received attempt = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(server.serviceName()).isEqualTo("edge-under-test");
      assertThat(hex(server.span().getParentSpanId())).isEqualTo(PARENT_ID);
      assertThat(server.span().getName()).isEqualTo("GET /*");
      assertThat(server.attributes()).isEqualTo(Map.of(
          "http.request.method", "GET",
          "http.response.status_code", 200L,
          "url.scheme", "http",
          "url.path", "/exported",
          "http.route", "/*",
          "server.address", "gateway",
          "server.port", 80L));
      assertThat(server.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);

      assertThat(hex(attempt.span().getSpanId())).isEqualTo(TraceParent.spanIdHex(sent.parentId()));
      assertThat(attempt.span().getParentSpanId()).isEqualTo(server.span().getSpanId());
      assertThat(attempt.span().getName()).isEqualTo("GET");
      assertThat(attempt.attributes()).isEqualTo(Map.of(
          "http.request.method", "GET",
          "http.response.status_code", 200L,
          "server.address", "127.0.0.1",
          "server.port", (long) backend.port(),
          "network.protocol.version", "1.1",
          "peer.service", "backend"));
    }
  }

  @Test
  void aRetryIsAnAttemptSpanWithItsResendCountAndTheFailedOneIsAnError() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    backend.handler(req -> req.response().setStatusCode(calls.incrementAndGet() == 1 ? 503 : 200).end("x"));
    try (TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
        .put("otlpEndpoint", collectorUrl("/v1/traces"))), name -> null)) {
      assertThat(get(gateway, "/retried", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n").status())
          .isEqualTo(200);

      List<Received> attempts = awaitSpans(TRACE_ID, 3).stream()
          .filter(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
          .sorted(java.util.Comparator.comparingLong(r -> r.span().getStartTimeUnixNano()))
          .toList();
      assertThat(attempts).hasSize(2);
      assertThat(attempts.get(0).attributes()).containsEntry("http.response.status_code", 503L)
          .containsEntry("error.type", "503").doesNotContainKey("http.request.resend_count");
      assertThat(attempts.get(0).span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
      assertThat(attempts.get(1).attributes()).containsEntry("http.response.status_code", 200L)
          .containsEntry("http.request.resend_count", 1L).doesNotContainKey("error.type");
    }
  }

  @Test
  void theEnvironmentAloneTurnsExportOnWithItsEndpointHeadersAndServiceName() throws Exception {
    Map<String, String> env = Map.of(
        "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT", collectorUrl("/base"),
        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=open%20sesame%3D%3D,x-tenant=blue",
        "OTEL_SERVICE_NAME", "edge-from-env",
        "OTEL_TRACES_SAMPLER_ARG", "1");
    try (TestGateway gateway = TestGateway.start(config(null), env::get)) {
      assertThat(get(gateway, "/env", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n").status())
          .isEqualTo(200);

      List<Received> spans = awaitSpans(TRACE_ID, 2);
      assertThat(spans).allSatisfy(r -> assertThat(r.serviceName()).isEqualTo("edge-from-env"));
      assertThat(exports).allSatisfy(e -> {
        assertThat(e.path()).isEqualTo("/base/v1/traces");
        assertThat(e.headers().get("api-key")).isEqualTo("open sesame==");
        assertThat(e.headers().get("x-tenant")).isEqualTo("blue");
      });
    }
  }

  @Test
  void theFileWinsOverTheEnvironmentWhereBothAreSet() throws Exception {
    // A port where every connect is refused, reserved for the test: no collector can appear there.
    int deadPort = toClose.add(RefusedPort.open()).port();
    Map<String, String> env = Map.of(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + deadPort + "/v1/traces",
        "OTEL_SERVICE_NAME", "edge-from-env");
    try (TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
        .put("otlpEndpoint", collectorUrl("/file/v1/traces")).put("serviceName", "edge-from-file")), env::get)) {
      assertThat(get(gateway, "/file", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n").status())
          .isEqualTo(200);

      assertThat(awaitSpans(TRACE_ID, 2)).allSatisfy(r -> assertThat(r.serviceName()).isEqualTo("edge-from-file"));
      assertThat(exports).allSatisfy(e -> assertThat(e.path()).isEqualTo("/file/v1/traces"));
    }
  }

  @Test
  void malformedVariablesCostOneWarningEachAndExportGoesOnWithoutThem() throws Exception {
    Map<String, String> env = Map.of(
        "OTEL_EXPORTER_OTLP_HEADERS", "Authorization: Bearer abc",
        "OTEL_TRACES_SAMPLER_ARG", "all of them");
    try (LogCapture lines = LogCapture.of("portcullis.events");
         TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
             .put("otlpEndpoint", collectorUrl("/v1/traces"))), env::get)) {
      assertThat(get(gateway, "/warned", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n").status())
          .isEqualTo(200);

      awaitSpans(TRACE_ID, 2);
      assertThat(exports).allSatisfy(e -> assertThat(e.headers().contains("Authorization")).isFalse());
      List<String> warnings = lines.events().stream().filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(warnings).containsExactlyInAnyOrder(
          "tracing: OTEL_EXPORTER_OTLP_HEADERS: member 1 has no '=' (expected key=value); the variable is ignored",
          "tracing: OTEL_TRACES_SAMPLER_ARG: \"all of them\" is not a ratio between 0 and 1; ignored");
      assertThat(String.join("\n", warnings)).doesNotContain("abc");
    }
  }

  @Test
  void aReloadReadsTheEnvironmentAgainAndWarnsOnlyAboutNewProblems(@TempDir Path dir) throws Exception {
    Map<String, String> env = new ConcurrentHashMap<>(Map.of(
        "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collectorUrl("/v1/traces"),
        "OTEL_SERVICE_NAME", "before-reload",
        "OTEL_TRACES_SAMPLER_ARG", "two"));
    Path file = dir.resolve("gateway.json");
    JsonObject config = TestGateway.withTestDefaults(config(null))
        .put("reload", new JsonObject().put("watch", false));
    Files.writeString(file, config.encode());
    try (LogCapture lines = LogCapture.of("portcullis.events");
         TestGateway gateway = TestGateway.startFromFile(file, env::get)) {
      assertThat(get(gateway, "/one", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n").status())
          .isEqualTo(200);
      assertThat(awaitSpans(TRACE_ID, 2)).allSatisfy(r -> assertThat(r.serviceName()).isEqualTo("before-reload"));

      env.put("OTEL_SERVICE_NAME", "after-reload");
      Files.writeString(file, config.put("accessLog", new JsonObject().put("enabled", false)).put("deadline",
          new JsonObject().put("defaultMs", 14_000)).encode());
      assertThat(Await.result(gateway.gateway().reload("test")).succeeded()).isTrue();
      String second = "0af7651916cd43dd8448eb211c80319c";
      assertThat(get(gateway, "/two", "traceparent: 00-" + second + "-b7ad6b7169203331-01\r\n").status())
          .isEqualTo(200);

      assertThat(awaitSpans(second, 2)).allSatisfy(r -> assertThat(r.serviceName()).isEqualTo("after-reload"));
      assertThat(lines.events().stream().filter(e -> e.getLevel() == Level.WARN
          && e.getFormattedMessage().contains("OTEL_TRACES_SAMPLER_ARG"))).hasSize(1);
    }
  }

  @Test
  void spansStillQueuedAreFlushedAtShutdown() throws Exception {
    TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
        .put("otlpEndpoint", collectorUrl("/v1/traces"))), name -> null);
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    RawHttp.Reply reply = get(gateway, "/flushed", "traceparent: 00-" + traceId + "-b7ad6b7169203331-01\r\n");
    assertThat(reply.status()).isEqualTo(200);

    long started = System.nanoTime();
    gateway.close(); // before the batch processor's first scheduled export

    assertThat(received()).as("trace exported by the shutdown flush")
        .anySatisfy(r -> assertThat(hex(r.span().getTraceId())).isEqualTo(traceId));
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void aDeadCollectorCostsOnlyDroppedSpansAndOneLogLine() throws Exception {
    // A port where every connect is refused, reserved for the test: no collector can appear there.
    int deadPort = toClose.add(RefusedPort.open()).port();
    try (LogCapture lines = LogCapture.of("portcullis.events")) {
      TestGateway gateway = TestGateway.start(config(new JsonObject().put("exporter", "otlp")
          .put("otlpEndpoint", "http://127.0.0.1:" + deadPort + "/v1/traces")), name -> null);
      for (int i = 0; i < 3; i++) {
        assertThat(get(gateway, "/dead-" + i, "").status()).isEqualTo(200);
      }
      long started = System.nanoTime();
      gateway.close();
      assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);

      List<ILoggingEvent> warnings = lines.events().stream()
          .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("span export")).toList();
      assertThat(warnings).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("127.0.0.1:" + deadPort, "dropped"));
    }
  }
}
