package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.portcullis.upstream.pool.UpstreamConnections;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How the gateway keeps and gives up its plain-HTTP connections to an upstream (README "Upstream
 * connections"): one connection carries request after request while the upstream keeps it alive;
 * after {@code Connection: close}, an HTTP/1.0 answer without keep-alive, or an upstream that hangs
 * up an idle connection, the next request goes on a new one and is answered, never a 502.
 */
class UpstreamConnectionReuseTest {

  private static final int REQUESTS = 8;

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @Test
  void theGatewayPoolsItsUpstreamConnectionsItself() {
    assertThat(UpstreamConnections.available()).as("this Vert.x lets the gateway reach a connection's channel").isTrue();
  }

  @Test
  void sequentialRequestsToAKeepAliveUpstreamShareOneConnection() {
    FaultBackend backend = harness.faultBackend(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    for (int i = 0; i < REQUESTS; i++) {
      assertOk(client.get(gateway.port(), "/k" + i));
    }

    assertThat(backend.requestCount()).isEqualTo(REQUESTS);
    assertThat(backend.connections()).as("one keep-alive connection").hasSize(1);
  }

  @Test
  void afterConnectionCloseEachRequestGoesOnANewConnectionEvenWhenTheUpstreamLeavesTheSocketOpen() {
    // The upstream says close but keeps the socket: the gateway must not send on it again.
    FaultBackend backend = harness.faultBackend(answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    for (int i = 0; i < REQUESTS; i++) {
      assertOk(client.get(gateway.port(), "/c" + i));
    }

    assertThat(backend.connections()).as("a connection per request").hasSize(REQUESTS);
    backend.connections().forEach(c -> assertThat(backend.requests().stream().filter(r -> r.connection() == c))
        .as("requests on one connection").hasSize(1));
  }

  @Test
  void aRequestWaitingForTheOnlyConnectionIsNotSentOnOneTheUpstreamIsClosing() {
    // One event loop, one connection at most and no retry: the second request waits for the first's connection.
    // That connection ends with Connection: close, so the waiter must get a new one, not that one.
    FaultBackend backend = harness.faultBackend((b, socket, request) -> b.vertx().setTimer(100,
        id -> socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"))));
    TestGateway gateway = harness.start(oneLoop(FaultMatrix.config(
        "{\"pool\":{\"maxConnections\":1},\"retry\":{\"maxAttempts\":1}}", 5_000L, backend.port())));

    Future<Reply> first = client.send(HttpMethod.GET, gateway.port(), "/w1", null);
    Future<Reply> second = client.send(HttpMethod.GET, gateway.port(), "/w2", null);

    assertOk(Await.result(first, 5_000));
    assertOk(Await.result(second, 5_000));
    assertThat(backend.connections()).hasSize(2);
  }

  @Test
  void aRequestWhoseDeadlinePassesWhileItWaitsForAConnectionLeavesTheQueueForTheNextOne() {
    // One connection, one place in the queue. A holds the connection for 1.5 s; B waits with a
    // 300 ms deadline; once B has its 504, its place is free, so C waits too and is answered,
    // where a place still held by B would shed C with 503 overloaded.
    FaultBackend backend = harness.faultBackend((b, socket, request) -> b.vertx().setTimer(1_500,
        id -> socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))));
    TestGateway gateway = harness.start(oneLoop(FaultMatrix.config(
        "{\"pool\":{\"maxConnections\":1,\"maxPending\":1},\"retry\":{\"maxAttempts\":1}}", 10_000L,
        backend.port())));

    Future<Reply> a = client.send(HttpMethod.GET, gateway.port(), "/a", null);
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_upstream_connections", Map.of("upstream",
        FaultMatrix.UPSTREAM), 1.0, 5_000);
    Reply b = client.get(gateway.port(), "/b", FaultMatrix.DEADLINE_HEADER, "300");
    Future<Reply> c = client.send(HttpMethod.GET, gateway.port(), "/c", null);

    assertThat(b.status()).as(b.toString()).isEqualTo(504);
    assertOk(Await.result(a, 5_000));
    assertOk(Await.result(c, 5_000));
    assertThat(backend.requests()).extracting(FaultBackend.Request::requestLine)
        .as("B was never sent").containsExactly("GET /a HTTP/1.1", "GET /c HTTP/1.1");
  }

  @Test
  void aHedgeThatLostWhileWaitingForAConnectionLeavesTheQueueAtOnce() throws InterruptedException {
    // One connection, one place in the queue. /h's first attempt holds the connection; its hedge
    // (100 ms later) waits for it. The first attempt's head wins at 300 ms, and its body then takes
    // 1.2 s: the hedge must leave the queue when it loses, not when the body ends, so that /c can
    // wait in its place and be answered instead of being shed.
    FaultBackend backend = harness.faultBackend((b, socket, request) -> {
      if (request.requestLine().startsWith("GET /h ")) {
        b.vertx().setTimer(300, id -> socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no")));
        b.vertx().setTimer(1_500, id -> socket.write(Buffer.buffer("k")));
      } else {
        socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
      }
    });
    JsonObject config = oneLoop(FaultMatrix.config(
        "{\"pool\":{\"maxConnections\":1,\"maxPending\":1},\"retry\":{\"maxAttempts\":2}}", 10_000L,
        backend.port()));
    config.getJsonArray("routes").getJsonObject(0).put("hedge", new JsonObject().put("delayMs", 100).put("maxHedges", 1));
    TestGateway gateway = harness.start(config);

    Future<Reply> hedged = client.send(HttpMethod.GET, gateway.port(), "/h", null);
    Thread.sleep(600); // the hedge started at 100 ms and lost at 300; the body ends at 1.5 s
    Reply c = Await.result(client.send(HttpMethod.GET, gateway.port(), "/c", null), 5_000);

    assertOk(Await.result(hedged, 5_000));
    assertOk(c);
    assertThat(backend.requests()).extracting(FaultBackend.Request::requestLine)
        .as("the hedge was never sent").containsExactly("GET /h HTTP/1.1", "GET /c HTTP/1.1");
  }

  @Test
  void anHttp10AnswerWithoutKeepAliveIsNotReusedAndOneWithKeepAliveIs() {
    FaultBackend closing = harness.faultBackend(answer("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    FaultBackend keeping = harness.faultBackend(answer(
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"));
    TestGateway toClosing = harness.proxyTo(closing.port());
    TestGateway toKeeping = harness.proxyTo(keeping.port());

    for (int i = 0; i < REQUESTS; i++) {
      assertOk(client.get(toClosing.port(), "/a" + i));
      assertOk(client.get(toKeeping.port(), "/b" + i));
    }

    assertThat(closing.connections()).hasSize(REQUESTS);
    assertThat(keeping.connections()).hasSize(1);
  }

  @Test
  void anIdleConnectionTheUpstreamHangsUpIsNotUsedAgain() throws Exception {
    // Answers keep-alive, then closes the idle connection 20 ms later, as a server with a short
    // keep-alive timeout does.
    FaultBackend backend = harness.faultBackend((b, socket, request) -> {
      socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
      b.vertx().setTimer(20, id -> socket.close());
    });
    TestGateway gateway = harness.proxyTo(backend.port());

    for (int i = 0; i < 4; i++) {
      assertOk(client.get(gateway.port(), "/h" + i));
      Thread.sleep(200); // the hang-up reaches the gateway first
    }

    assertThat(backend.requestCount()).as("no request retried on a dead connection").isEqualTo(4);
    assertThat(backend.connections()).hasSize(4);
  }

  /** {@code config} on one event loop: every request meets the same pool. */
  private static JsonObject oneLoop(JsonObject config) {
    return config.put("server", config.getJsonObject("server", new JsonObject()).put("instances", 1));
  }

  private static FaultBackend.Behaviour answer(String raw) {
    return (b, socket, request) -> socket.write(Buffer.buffer(raw));
  }

  private static void assertOk(Reply reply) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("ok");
  }
}
