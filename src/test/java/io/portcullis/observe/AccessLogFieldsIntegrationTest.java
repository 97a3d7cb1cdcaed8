package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.portcullis.testkit.WebSocketBackend;
import io.portcullis.testkit.WebSocketTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access log's fields (README "Logs") end to end: a real gateway with the access log on, in
 * front of real backends on port 0, and the line each request leaves on {@code portcullis.access}.
 */
@Timeout(60)
class AccessLogFieldsIntegrationTest {

  private static final long LINE_WAIT_MS = 10_000;
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();
  private LogCapture lines;

  @BeforeEach
  void captureTheAccessLog() {
    lines = LogCapture.of("portcullis.access");
  }

  @AfterEach
  void stopCapturing() {
    lines.close();
  }

  private JsonObject line(String requestId) throws InterruptedException {
    JsonObject line = lines.awaitJsonLine(requestId, LINE_WAIT_MS);
    assertThat(line).as("access-log line of " + requestId).isNotNull();
    return line;
  }

  private static JsonObject withAccessLog(JsonObject config) {
    return config.put("accessLog", new JsonObject().put("enabled", true));
  }

  private static JsonObject upstream(int... ports) {
    JsonArray endpoints = new JsonArray();
    for (int port : ports) {
      endpoints.add("http://127.0.0.1:" + port);
    }
    return new JsonObject().put("endpoints", endpoints);
  }

  private static JsonObject route(String name, String prefix, String upstream) {
    return new JsonObject().put("name", name).put("match", new JsonObject().put("pathPrefix", prefix))
        .put("upstream", upstream);
  }

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aProxiedPostLogsTheEndpointTheClientAndTheExactBodyBytesBothWays() throws Exception {
    String answer = "\u00e9t\u00e9 \u65e5\u672c ".repeat(300); // multi-byte characters: bytes, not chars
    AtomicInteger received = new AtomicInteger();
    FakeBackend backend = harness.backend(req -> req.body().onSuccess(body -> {
      received.set(body.length());
      req.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(answer);
    }));
    TestGateway gateway = harness.start(withAccessLog(TestGateway.proxyConfig(null, backend.port())));
    String sent = "x".repeat(1_234);

    Reply reply = client.request(HttpMethod.POST, gateway.port(), "/orders/7", sent, "X-Request-Id", "post-both-ways",
        "traceparent", TRACEPARENT);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(received.get()).isEqualTo(1_234);
    JsonObject line = line("post-both-ways");
    assertThat(line.getString("method")).isEqualTo("POST");
    assertThat(line.getString("path")).isEqualTo("/orders/7");
    assertThat(line.getString("route")).isEqualTo("all");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getString("upstream")).isEqualTo("backend");
    assertThat(line.getString("endpoint")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(line.getInteger("attempts")).isEqualTo(1);
    assertThat(line.getString("clientIp")).isEqualTo("127.0.0.1");
    assertThat(line.getLong("bytesIn")).isEqualTo(1_234L);
    assertThat(line.getLong("bytesOut")).isEqualTo((long) utf8(answer)).isEqualTo((long) utf8(reply.body()));
    assertThat(line.containsKey("error")).isTrue();
    assertThat(line.getString("error")).isNull();
    assertThat(line.getString("traceId")).isEqualTo(TRACE_ID);
  }

  @Test
  void chunkedBodiesAreCountedWithoutTheirChunkFraming() throws Exception {
    FakeBackend backend = harness.backend(req -> req.body().onSuccess(body -> {
      req.response().setChunked(true);
      req.response().write("first piece|");
      req.response().write("second piece|");
      req.response().end(body);
    }));
    TestGateway gateway = harness.start(withAccessLog(TestGateway.proxyConfig(null, backend.port())));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), "POST /upload HTTP/1.1\r\nHost: gw\r\n"
        + "X-Request-Id: chunked-both-ways\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 10_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).containsIgnoringCase("transfer-encoding: chunked");
    JsonObject line = line("chunked-both-ways");
    assertThat(line.getLong("bytesIn")).as("hello world").isEqualTo(11L);
    assertThat(line.getLong("bytesOut")).isEqualTo((long) utf8("first piece|second piece|hello world"));
  }

  @Test
  void overHttp2TheByteCountsAreTheDataFramesPayloadsNotTheHeaders() throws Exception {
    String answer = "{\"items\":[" + "1,".repeat(2_000) + "0]}";
    FakeBackend backend = harness.backend(req -> req.body().onSuccess(body -> req.response().end(answer)));
    JsonObject config = withAccessLog(TestGateway.proxyConfig(null, backend.port()));
    config.put("server", new JsonObject().put("h2c", true));
    TestGateway gateway = harness.start(config);
    Vertx vertx = harness.add(new VertxCloser(Vertx.vertx())).vertx;
    HttpClient h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String sent = "y".repeat(5_000);

    String body = Await.onContext(vertx, () -> h2.request(new RequestOptions().setMethod(HttpMethod.PUT)
            .setHost("127.0.0.1").setPort(gateway.port()).setURI("/h2").addHeader("x-request-id", "h2-both-ways"))
        .compose(req -> req.send(Buffer.buffer(sent)))
        .compose(resp -> resp.version() == HttpVersion.HTTP_2 ? resp.body()
            : Future.<Buffer>failedFuture("answered over " + resp.version()))
        .map(Buffer::toString));

    assertThat(body).isEqualTo(answer);
    JsonObject line = line("h2-both-ways");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getLong("bytesIn")).isEqualTo(5_000L);
    assertThat(line.getLong("bytesOut")).isEqualTo((long) utf8(answer));
    assertThat(line.getString("endpoint")).isEqualTo("127.0.0.1:" + backend.port());
  }

  @Test
  void aRetriedRequestNamesTheEndpointThatAnsweredNotTheOneTriedFirst() throws Exception {
    FakeBackend failing = harness.backend(req -> req.response().setStatusCode(503).end("busy"));
    FakeBackend answering = harness.backend(req -> req.response().end("ok"));
    JsonObject config = withAccessLog(TestGateway.proxyConfig(null, failing.port(), answering.port()));
    TestGateway gateway = harness.start(config);

    // Round robin starts on either endpoint; a request that starts on the failing one is retried
    // on the other. Every 200 must name the answering endpoint, the retried ones included.
    List<JsonObject> retried = new ArrayList<>();
    for (int i = 0; i < 8 && retried.size() < 2; i++) {
      String id = "retried-" + i;
      assertThat(client.get(gateway.port(), "/r", "X-Request-Id", id).status()).isEqualTo(200);
      JsonObject line = line(id);
      assertThat(line.getString("endpoint")).as(line.encode()).isEqualTo("127.0.0.1:" + answering.port());
      assertThat(line.getString("error")).isNull();
      if (line.getInteger("attempts") == 2) {
        retried.add(line);
      }
    }
    assertThat(retried).as("requests whose first attempt met the failing endpoint").isNotEmpty();
    assertThat(failing.requests()).isPositive();
  }

  @Test
  void anUpstreamsOwnErrorIsForwardedWithItsEndpointAndNoGatewayError() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(500).end("own error"));
    TestGateway gateway = harness.start(withAccessLog(TestGateway.proxyConfig(
        "{\"retry\": {\"maxAttempts\": 1}}", backend.port())));

    assertThat(client.get(gateway.port(), "/e", "X-Request-Id", "upstream-500").status()).isEqualTo(500);

    JsonObject line = line("upstream-500");
    assertThat(line.getString("endpoint")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(line.getString("error")).isNull();
    assertThat(line.getLong("bytesOut")).isEqualTo(9L);
  }

  @Test
  void answersTheGatewayMadeCarryTheirErrorCodeAndNoEndpoint() throws Exception {
    FakeBackend ok = harness.okBackend("fine");
    FakeBackend silent = harness.backend(req -> { }); // never answers
    int refused = harness.refusedPort();
    JsonObject limited = route("limited", "/limited", "ok")
        .put("rateLimit", new JsonObject().put("requestsPerSecond", 0.001).put("burst", 1));
    JsonObject config = withAccessLog(new JsonObject()
        .put("upstreams", new JsonObject().put("ok", upstream(ok.port())).put("silent", upstream(silent.port()))
            .put("down", upstream(refused)))
        .put("routes", new JsonArray().add(limited)
            .add(route("slow", "/slow", "silent").put("timeoutMs", 300))
            .add(route("down", "/down", "down"))));
    TestGateway gateway = harness.start(config);

    assertThat(client.get(gateway.port(), "/limited/1", "X-Request-Id", "first-of-burst").status()).isEqualTo(200);
    Reply rateLimited = client.get(gateway.port(), "/limited/2", "X-Request-Id", "made-429");
    Reply noRoute = client.get(gateway.port(), "/nowhere", "X-Request-Id", "made-404");
    Reply deadline = client.get(gateway.port(), "/slow", "X-Request-Id", "made-504");
    Reply unavailable = client.get(gateway.port(), "/down", "X-Request-Id", "made-502");

    assertThat(line("first-of-burst").getString("endpoint")).isEqualTo("127.0.0.1:" + ok.port());
    record Made(Reply reply, String id, int status, String code) { }
    for (Made made : List.of(new Made(rateLimited, "made-429", 429, "rate_limited"),
        new Made(noRoute, "made-404", 404, "no_route"), new Made(deadline, "made-504", 504, "deadline_exceeded"),
        new Made(unavailable, "made-502", 502, "upstream_unavailable"))) {
      assertThat(made.reply().status()).as(made.reply().toString()).isEqualTo(made.status());
      assertThat(made.reply().errorCode()).isEqualTo(made.code());
      JsonObject line = line(made.id());
      assertThat(line.getInteger("status")).as(line.encode()).isEqualTo(made.status());
      assertThat(line.getString("error")).as(line.encode()).isEqualTo(made.code());
      assertThat(line.containsKey("endpoint")).isTrue();
      assertThat(line.getString("endpoint")).as(line.encode()).isNull();
      assertThat(line.getLong("bytesIn")).isZero();
      assertThat(line.getLong("bytesOut")).as(line.encode()).isEqualTo((long) utf8(made.reply().body()));
      assertThat(line.getString("clientIp")).isEqualTo("127.0.0.1");
    }
    assertThat(line("made-504").getInteger("attempts")).as("the silent endpoint was tried").isEqualTo(1);
  }

  @Test
  void anAggregateNamesNoEndpoint() throws Exception {
    FakeBackend users = harness.backend(req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"id\":7}"));
    FakeBackend orders = harness.backend(req -> req.response().putHeader("Content-Type", "application/json")
        .end("[1,2]"));
    JsonObject route = new JsonObject().put("name", "profile")
        .put("match", new JsonObject().put("path", "/profile/:id"))
        .put("aggregate", new JsonArray()
            .add(new JsonObject().put("upstream", "users").put("path", "/users/:id").put("as", "user"))
            .add(new JsonObject().put("upstream", "orders").put("path", "/orders/:id").put("as", "orders")));
    TestGateway gateway = harness.start(withAccessLog(new JsonObject()
        .put("upstreams", new JsonObject().put("users", upstream(users.port())).put("orders", upstream(orders.port())))
        .put("routes", new JsonArray().add(route))));

    Reply reply = client.get(gateway.port(), "/profile/7", "X-Request-Id", "aggregate-7");

    assertThat(reply.status()).isEqualTo(200);
    JsonObject line = line("aggregate-7");
    assertThat(line.getString("route")).isEqualTo("profile");
    assertThat(line.getString("upstream")).isNotNull();
    assertThat(line.containsKey("endpoint")).isTrue();
    assertThat(line.getString("endpoint")).isNull();
    assertThat(line.getString("error")).isNull();
    assertThat(line.getLong("bytesOut")).isEqualTo((long) utf8(reply.body()));
  }

  @Test
  void aWebSocketTunnelIsLoggedWhenItClosesWithTheEndpointThatAcceptedItAndNoBodyBytes() throws Exception {
    WebSocketBackend backend = harness.add(WebSocketBackend.start());
    JsonObject config = withAccessLog(TestGateway.proxyConfig(null, backend.port()));
    config.getJsonArray("routes").getJsonObject(0).put("websocket", true);
    TestGateway gateway = harness.start(config);
    try (WebSocketTestClient sockets = new WebSocketTestClient()) {
      WebSocketTestClient.Connection ws = Await.result(sockets.connect(gateway.port(), "/chat", List.of(),
          "X-Request-Id", "tunnel-1"));
      assertThat(ws.echo("frames are not body bytes")).isEqualTo("frames are not body bytes");
      assertThat(lines.messagesContaining("tunnel-1")).as("no line while the tunnel is open").isEmpty();

      Await.result(ws.ws().close());
    }

    JsonObject line = line("tunnel-1");
    assertThat(line.getInteger("status")).isEqualTo(101);
    assertThat(line.getString("endpoint")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(line.getLong("bytesIn")).isZero();
    assertThat(line.getLong("bytesOut")).isZero();
    assertThat(line.getString("error")).isNull();
  }

  @Test
  void behindATrustedProxyTheClientIpIsTheForwardedClient() throws Exception {
    FakeBackend backend = harness.okBackend("fine");
    JsonObject config = withAccessLog(TestGateway.proxyConfig(null, backend.port()));
    config.put("server", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.0/8")));
    TestGateway gateway = harness.start(config);

    client.get(gateway.port(), "/a", "X-Request-Id", "via-trusted", "X-Forwarded-For", "198.51.100.7");
    client.get(gateway.port(), "/a", "X-Request-Id", "via-two", "X-Forwarded-For", "203.0.113.9, 198.51.100.8");
    client.get(gateway.port(), "/a", "X-Request-Id", "no-header");

    assertThat(line("via-trusted").getString("clientIp")).isEqualTo("198.51.100.7");
    assertThat(line("via-two").getString("clientIp")).as("the first untrusted entry from the right")
        .isEqualTo("198.51.100.8");
    assertThat(line("no-header").getString("clientIp")).isEqualTo("127.0.0.1");
  }

  @Test
  void withoutTrustedProxiesTheClientIpIsThePeerWhateverTheHeaderSays() throws Exception {
    FakeBackend backend = harness.okBackend("fine");
    TestGateway gateway = harness.start(withAccessLog(TestGateway.proxyConfig(null, backend.port())));

    client.get(gateway.port(), "/a", "X-Request-Id", "untrusted-peer", "X-Forwarded-For", "198.51.100.7");

    assertThat(line("untrusted-peer").getString("clientIp")).isEqualTo("127.0.0.1");
  }

  @Test
  void hostileRequestIdsAndPathsAreEscapedIntoValidJson() throws Exception {
    FakeBackend backend = harness.okBackend("fine");
    TestGateway gateway = harness.start(withAccessLog(TestGateway.proxyConfig(null, backend.port())));
    String hostileId = "q\"uo\\te\",\"status\":1,\"x\":\"";

    Reply reply = client.get(gateway.port(), "/a", "X-Request-Id", hostileId);
    assertThat(reply.status()).isEqualTo(200);
    JsonObject line = line(hostileId);
    assertThat(line.getInteger("status")).isEqualTo(200);

    byte[] raw = ("GET /p\"a\\t\u007fh/caf\u00e9 HTTP/1.1\r\nHost: gw\r\nX-Request-Id: hostile-path\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    RawHttp.Reply answer = RawHttp.exchange(gateway.port(), raw, 10_000);
    ILoggingEvent event = lines.awaitMessage("/p\\\"a", LINE_WAIT_MS);
    assertThat(event).as("a line for " + answer.statusLine()).isNotNull();
    JsonObject pathLine = new JsonObject(event.getFormattedMessage());
    assertThat(pathLine.getString("path")).startsWith("/p\"a\\t");
    assertThat(pathLine.getInteger("status")).isEqualTo(answer.status());
  }

  /** A Vert.x closed after the test. */
  private record VertxCloser(Vertx vertx) implements AutoCloseable {
    @Override
    public void close() {
      Await.result(vertx.close());
    }
  }
}
