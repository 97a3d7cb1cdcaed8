package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace context through a real gateway to real backends that record what they receive: a new
 * trace when the client sends none, the client's trace continued otherwise, a span id of its
 * own on every upstream attempt and aggregate branch, and nothing touched when tracing is off.
 */
@Timeout(60)
class TracingIntegrationTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private static FakeBackend okBackend() {
    return harness.okBackend("ok");
  }

  private static TestGateway gateway(JsonObject config) {
    return harness.start(config);
  }

  private static RawHttp.Reply get(TestGateway gateway, String path, String extraHeaders) throws Exception {
    return RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: gateway\r\n" + extraHeaders
        + "Connection: close\r\n\r\n", 10_000);
  }

  private static TraceParent received(FakeBackend.Seen seen) {
    String header = seen.header("traceparent");
    TraceParent parsed = TraceParent.parse(header);
    assertThat(parsed).as("traceparent sent upstream: %s", header).isNotNull();
    assertThat(seen.headers().getAll("traceparent")).hasSize(1);
    return parsed;
  }

  private static String traceIdOf(TraceParent p) {
    return TraceParent.traceIdHex(p.traceIdHigh(), p.traceIdLow());
  }

  @Test
  void aRequestWithoutTraceparentStartsATraceWhoseIdIsInTheAccessLog() throws Exception {
    try (LogCapture lines = LogCapture.of("portcullis.access")) {
      FakeBackend backend = okBackend();
      TestGateway gateway = gateway(TestGateway.proxyConfig(null, backend.port())
          .put("accessLog", new JsonObject().put("enabled", true)));

      assertThat(get(gateway, "/new", "X-Request-Id: trace-new\r\n").status()).isEqualTo(200);

      TraceParent sent = received(backend.seen().get(0));
      assertThat(sent.sampled()).isTrue(); // sampleRatio defaults to 1
      assertThat(backend.seen().get(0).header("tracestate")).isNull();
      JsonObject line = lines.awaitJsonLine("trace-new", 10_000);
      assertThat(line).as("access log line of trace-new").isNotNull();
      assertThat(line.getString("traceId")).isEqualTo(traceIdOf(sent));
    }
  }

  @Test
  void aValidTraceparentIsContinuedWithANewParentIdAndItsTracestate() throws Exception {
    FakeBackend backend = okBackend();
    TestGateway gateway = gateway(TestGateway.proxyConfig(null, backend.port()));

    get(gateway, "/continued", "traceparent: " + TRACEPARENT + "\r\ntracestate: rojo=00f067aa0ba902b7,congo=t61rcWkgMzE\r\n");

    FakeBackend.Seen seen = backend.seen().get(0);
    TraceParent sent = received(seen);
    assertThat(traceIdOf(sent)).isEqualTo(TRACE_ID);
    assertThat(TraceParent.spanIdHex(sent.parentId())).isNotEqualTo(PARENT_ID);
    assertThat(sent.sampled()).isTrue();
    assertThat(seen.header("tracestate")).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  }

  @Test
  void everyRetryAttemptGetsItsOwnParentIdInOneTrace() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FakeBackend backend = harness.backend(req ->
        req.response().setStatusCode(calls.incrementAndGet() < 3 ? 503 : 200).end("x"));
    TestGateway gateway = gateway(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":3,\"baseDelayMs\":1,\"maxDelayMs\":5}}", backend.port()));

    RawHttp.Reply reply = get(gateway, "/retried", "traceparent: " + TRACEPARENT + "\r\n");

    assertThat(reply.status()).isEqualTo(200);
    List<TraceParent> sent = backend.seen().stream().map(TracingIntegrationTest::received).collect(Collectors.toList());
    assertThat(sent).hasSize(3);
    assertThat(sent).extracting(TracingIntegrationTest::traceIdOf).containsOnly(TRACE_ID);
    assertThat(sent).extracting(TraceParent::parentId).doesNotHaveDuplicates()
        .doesNotContain(Long.parseUnsignedLong(PARENT_ID, 16));
    assertThat(backend.seen()).extracting(s -> s.header("X-Attempt-Count")).containsExactly("1", "2", "3");
  }

  @Test
  void everyAggregateBranchGetsItsOwnParentIdInOneTrace() throws Exception {
    FakeBackend users = harness.backend(req ->
        req.response().putHeader("Content-Type", "application/json").end("{\"id\":7}"));
    FakeBackend orders = harness.backend(req ->
        req.response().putHeader("Content-Type", "application/json").end("[]"));
    JsonObject config = new JsonObject()
        .put("upstreams", new JsonObject()
            .put("users", new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + users.port())))
            .put("orders", new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + orders.port()))))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "profile")
            .put("match", new JsonObject().put("path", "/profile/:id"))
            .put("aggregate", new JsonArray()
                .add(new JsonObject().put("upstream", "users").put("path", "/users/:id").put("as", "user"))
                .add(new JsonObject().put("upstream", "orders").put("path", "/orders/:id").put("as", "orders")))));
    TestGateway gateway = gateway(config);

    assertThat(get(gateway, "/profile/7", "traceparent: " + TRACEPARENT + "\r\n").status()).isEqualTo(200);

    TraceParent toUsers = received(users.seen().get(0));
    TraceParent toOrders = received(orders.seen().get(0));
    assertThat(traceIdOf(toUsers)).isEqualTo(TRACE_ID);
    assertThat(traceIdOf(toOrders)).isEqualTo(TRACE_ID);
    assertThat(toUsers.parentId()).isNotEqualTo(toOrders.parentId());
    assertThat(List.of(toUsers.parentId(), toOrders.parentId())).doesNotContain(Long.parseUnsignedLong(PARENT_ID, 16));
  }

  @Test
  void anInvalidTraceparentStartsANewTraceAndDropsTracestate() throws Exception {
    FakeBackend backend = okBackend();
    TestGateway gateway = gateway(TestGateway.proxyConfig(null, backend.port()));
    String upperCase = "00-" + TRACE_ID.toUpperCase() + "-" + PARENT_ID + "-01";

    get(gateway, "/invalid", "traceparent: " + upperCase + "\r\ntracestate: rojo=1\r\n");

    FakeBackend.Seen seen = backend.seen().get(0);
    TraceParent sent = received(seen);
    assertThat(traceIdOf(sent)).isNotEqualToIgnoringCase(TRACE_ID);
    assertThat(seen.headers().contains("tracestate")).isFalse();
  }

  @Test
  void withTracingDisabledBothHeadersPassUntouched() throws Exception {
    FakeBackend backend = okBackend();
    TestGateway gateway = gateway(TestGateway.proxyConfig(null, backend.port())
        .put("tracing", new JsonObject().put("enabled", false)));
    String invalid = "00-" + TRACE_ID.toUpperCase() + "-" + PARENT_ID + "-01";

    get(gateway, "/off", "traceparent: " + TRACEPARENT + "\r\ntracestate: rojo=1\r\n");
    get(gateway, "/off-invalid", "traceparent: " + invalid + "\r\ntracestate: not valid\r\n");
    get(gateway, "/off-none", "");

    List<FakeBackend.Seen> seen = backend.seen();
    assertThat(seen.get(0).headers().getAll("traceparent")).containsExactly(TRACEPARENT);
    assertThat(seen.get(0).headers().getAll("tracestate")).containsExactly("rojo=1");
    assertThat(seen.get(1).headers().getAll("traceparent")).containsExactly(invalid);
    assertThat(seen.get(1).headers().getAll("tracestate")).containsExactly("not valid");
    assertThat(seen.get(2).headers().contains("traceparent")).isFalse();
    assertThat(seen.get(2).headers().contains("tracestate")).isFalse();
  }

  @Test
  void aReloadThatTurnsTracingOffAppliesToLaterRequests(@TempDir Path dir) throws Exception {
    FakeBackend backend = okBackend();
    Path file = dir.resolve("gateway.json");
    JsonObject config = TestGateway.withTestDefaults(TestGateway.proxyConfig(null, backend.port()));
    Files.writeString(file, config.encode());
    TestGateway gateway = harness.startFromFile(file);

    get(gateway, "/before", "traceparent: " + TRACEPARENT + "\r\n");
    Files.writeString(file, config.put("tracing", new JsonObject().put("enabled", false)).encode());
    Await.result(gateway.gateway().reload("test"));
    get(gateway, "/after", "traceparent: " + TRACEPARENT + "\r\n");

    assertThat(TraceParent.spanIdHex(received(backend.seen().get(0)).parentId())).isNotEqualTo(PARENT_ID);
    assertThat(backend.seen().get(1).header("traceparent")).isEqualTo(TRACEPARENT);
  }
}
