package io.portcullis.trace.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.portcullis.trace.TraceParent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OTLP/HTTP export from a real gateway to a fake collector (a Vert.x server accepting
 * {@code POST /v1/traces}): the request's spans arrive as protobuf with the ids sent upstream,
 * queued spans are flushed at shutdown, and a dead collector costs only dropped spans.
 */
@Timeout(60)
class OtlpExportIntegrationTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  /** What the collector received. */
  private record Export(String method, String path, String contentType, byte[] body) {
  }

  private Vertx vertx;
  private HttpServer collector;
  private final List<Export> exports = new CopyOnWriteArrayList<>();
  private FakeBackend backend;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    collector = Await.result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      exports.add(new Export(req.method().name(), req.path(), req.getHeader("Content-Type"), body.getBytes()));
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

  private static JsonObject config(int backendPort, String endpoint) {
    return TestGateway.proxyConfig(null, backendPort).put("tracing", new JsonObject()
        .put("exporter", "otlp").put("otlpEndpoint", endpoint).put("serviceName", "edge-under-test"));
  }

  private static RawHttp.Reply get(TestGateway gateway, String path, String headers) throws Exception {
    return RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: gateway\r\n" + headers
        + "Connection: close\r\n\r\n", 10_000);
  }

  private static byte[] idBytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private byte[] everythingReceived() {
    ByteBuffer all = ByteBuffer.allocate(exports.stream().mapToInt(e -> e.body().length).sum());
    exports.forEach(e -> all.put(e.body()));
    return all.array();
  }

  @Test
  void theRequestsSpansReachTheCollectorWithTheIdsSentUpstream() throws Exception {
    TestGateway gateway = TestGateway.start(config(backend.port(),
        "http://127.0.0.1:" + collector.actualPort() + "/v1/traces"));
    try {
      RawHttp.Reply reply = get(gateway, "/exported", "traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-01\r\n");
      assertThat(reply.status()).isEqualTo(200);
      TraceParent sent = TraceParent.parse(backend.seen().get(0).header("traceparent"));
      byte[] attemptSpanId = idBytes(TraceParent.spanIdHex(sent.parentId()));

      long deadline = System.nanoTime() + 15_000_000_000L;
      while (!(contains(everythingReceived(), attemptSpanId) && contains(everythingReceived(), idBytes(PARENT_ID)))
          && System.nanoTime() < deadline) {
        Thread.sleep(50); // the batch processor sends on its own schedule (every second)
      }
      byte[] received = everythingReceived();
      assertThat(exports).isNotEmpty().allSatisfy(e -> {
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.path()).isEqualTo("/v1/traces");
        assertThat(e.contentType()).isEqualTo("application/x-protobuf");
      });
      assertThat(contains(received, idBytes(TRACE_ID))).as("trace id in the export").isTrue();
      assertThat(contains(received, attemptSpanId)).as("the attempt's span id in the export").isTrue();
      assertThat(contains(received, idBytes(PARENT_ID))).as("the caller's span id as the server span's parent").isTrue();
      String text = new String(received, StandardCharsets.ISO_8859_1);
      assertThat(text).contains("edge-under-test", "service.name", "portcullis.upstream", "backend",
          "portcullis.attempt", "http.request.method");
    } finally {
      gateway.close();
    }
  }

  @Test
  void spansStillQueuedAreFlushedAtShutdown() throws Exception {
    TestGateway gateway = TestGateway.start(config(backend.port(),
        "http://127.0.0.1:" + collector.actualPort() + "/v1/traces"));
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    RawHttp.Reply reply = get(gateway, "/flushed", "traceparent: 00-" + traceId + "-b7ad6b7169203331-01\r\n");
    assertThat(reply.status()).isEqualTo(200);

    long started = System.nanoTime();
    gateway.close(); // before the batch processor's first scheduled export

    assertThat(contains(everythingReceived(), idBytes(traceId))).as("trace exported by the shutdown flush").isTrue();
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void aDeadCollectorCostsOnlyDroppedSpansAndOneLogLine() throws Exception {
    int deadPort;
    try (ServerSocket reserved = new ServerSocket(0)) {
      deadPort = reserved.getLocalPort();
    }
    try (LogCapture lines = LogCapture.of("portcullis.events")) {
      TestGateway gateway = TestGateway.start(config(backend.port(), "http://127.0.0.1:" + deadPort + "/v1/traces"));
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
