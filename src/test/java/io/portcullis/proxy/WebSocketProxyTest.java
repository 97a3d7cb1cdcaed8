package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.lifecycle.GatewayOptions;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.portcullis.testkit.WebSocketBackend;
import io.portcullis.testkit.WebSocketTestClient;
import io.portcullis.testkit.WebSocketTestClient.Connection;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket proxying end to end: a real gateway between a real Vert.x WebSocket client and a
 * real echo backend, on loopback sockets. The handshake goes through the upstream pipeline
 * (forwarding headers, retry, breaker, deadline); after the upgrade the tunnel carries frames
 * unchanged both ways, propagates closes, and outlives the route timeout and the request-header
 * timeout.
 */
@Timeout(60)
class WebSocketProxyTest {

  private static final String HANDSHAKE = "GET /ws/chat HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\n"
      + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final WebSocketTestClient client = new WebSocketTestClient();

  @AfterEach
  void closeClient() {
    // Before the harness closes the gateways: tunnels still open would hold each gateway's
    // shutdown for graceMs.
    client.close();
  }

  @Test
  void textAndBinaryFramesTravelUnchangedBothWaysIncludingOneLargerThan64KiB() {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));
    Connection ws = client.open(gateway.port(), "/ws/chat");

    assertThat(ws.echo("hello through the gateway")).isEqualTo("hello through the gateway");

    Buffer small = WebSocketTestClient.pattern(1_000);
    Await.result(ws.ws().writeBinaryMessage(small));
    assertThat(ws.next(10_000)).isEqualTo(small);

    Buffer large = WebSocketTestClient.pattern(300 * 1024);
    Await.result(ws.ws().writeFrame(WebSocketFrame.binaryFrame(large, true)));
    assertThat(ws.next(10_000)).isEqualTo(large);

    assertThat(backend.binarySizes()).containsExactly(1_000, 300 * 1024);
  }

  @Test
  void theCompressionExtensionIsTheBackendsAnswerNeverTheGatewaysOwn() throws Exception {
    String offer = "GET /ws/chat HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";

    // A backend that accepts permessage-deflate: the client gets its acceptance.
    TestGateway deflating = gateway(config(true, 5_000, backend().port()));
    try (io.portcullis.testkit.RawConnection raw = io.portcullis.testkit.RawConnection.open(deflating.port())) {
      raw.send(offer);
      String head = raw.awaitText(t -> t.contains("\r\n\r\n"), 10_000);
      assertThat(head).startsWith("HTTP/1.1 101");
      assertThat(headerValue(head, "sec-websocket-extensions")).startsWith("permessage-deflate");
    }

    // A backend that offers no extension: the 101 carries none, whatever the gateway could do.
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpServer plain = Await.result(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
              .setPerMessageWebSocketCompressionSupported(false)
              .setPerFrameWebSocketCompressionSupported(false))
          .webSocketHandler(ws -> ws.handler(ws::write))
          .requestHandler(req -> req.response().setStatusCode(404).end())
          .listen(0, "127.0.0.1"));
      TestGateway gateway = gateway(config(true, 5_000, plain.actualPort()));
      try (io.portcullis.testkit.RawConnection raw = io.portcullis.testkit.RawConnection.open(gateway.port())) {
        raw.send(offer);
        String head = raw.awaitText(t -> t.contains("\r\n\r\n"), 10_000);
        assertThat(head).startsWith("HTTP/1.1 101");
        assertThat(headerValue(head, "sec-websocket-extensions")).isNull();
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  /** The value of header {@code name} (any case) in a response head, or null. */
  private static String headerValue(String head, String name) {
    for (String line : head.substring(0, head.indexOf("\r\n\r\n")).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  @Test
  void aBackendThatStopsReadingStopsTheClientsWritesAndNothingIsLostWhenItResumes() throws Exception {
    WebSocketBackend backend = backend().pauseReading();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));
    Connection ws = client.open(gateway.port(), "/ws/chat");
    Buffer frame = WebSocketTestClient.pattern(256 * 1024);
    long capBytes = 256L * 1024 * 1024; // far beyond every socket buffer on the way
    AtomicLong written = new AtomicLong();
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    AtomicBoolean stop = new AtomicBoolean();
    io.vertx.core.Context writer = client.vertx().getOrCreateContext();
    writer.runOnContext(v -> writeWhileWritable(ws, frame, capBytes, written, lastProgress, stop));

    // With back-pressure the writes stall once the buffers on the way are full; without it the
    // gateway would keep reading (and holding) everything the client sends.
    awaitTrue("the client's writes stall", () -> System.nanoTime() - lastProgress.get() > TimeUnit.SECONDS.toNanos(1)
        || written.get() >= capBytes);
    assertThat(written.get()).as("bytes accepted while the backend was not reading").isLessThan(capBytes);
    assertThat(backend.binarySizes()).isEmpty();
    stop.set(true);
    io.vertx.core.Promise<Void> writerIdle = io.vertx.core.Promise.promise();
    writer.runOnContext(v -> writerIdle.complete()); // runs after any writer run in progress
    Await.result(writerIdle.future());
    long frames = written.get() / frame.length();

    backend.resumeReading();
    awaitTrue("every frame reaches the backend", () -> backend.binarySizes().size() == frames);
    assertThat(backend.binarySizes()).allMatch(size -> size == frame.length());
  }

  /** Writes {@code frame} on the client's event loop until its queue is full, again after each drain. */
  private static void writeWhileWritable(Connection ws, Buffer frame, long capBytes, AtomicLong written,
                                         AtomicLong lastProgress, AtomicBoolean stop) {
    while (!stop.get() && !ws.ws().writeQueueFull() && written.get() < capBytes) {
      ws.ws().writeBinaryMessage(frame);
      written.addAndGet(frame.length());
      lastProgress.set(System.nanoTime());
    }
    if (!stop.get() && written.get() < capBytes) {
      ws.ws().drainHandler(v -> writeWhileWritable(ws, frame, capBytes, written, lastProgress, stop));
    }
  }

  @Test
  void clientCloseReachesTheBackendWithItsCodeAndTheRequestIsLoggedAs101() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));
    Connection ws = client.open(gateway.port(), "/ws/chat");
    assertThat(ws.echo("ping")).isEqualTo("ping");
    assertThat(gateway.gateway().runtime().inFlight()).isEqualTo(1);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "backend", 0).getInteger("inFlight")).isEqualTo(1);

    Await.result(ws.ws().close((short) 4001, "client leaves"));

    assertThat(Await.result(backend.firstCloseCode())).isEqualTo((short) 4001);
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_requests_total",
        Map.of("route", "ws", "status", "101"), 1, 10_000);
    assertThat(gateway.gateway().runtime().inFlight()).isZero();
    assertThat(AdminProbe.endpoint(gateway.adminPort(), "backend", 0).getInteger("inFlight")).isZero();
    assertThat(backend.openSockets()).isZero(); // its close handler runs when the TCP connection is gone
  }

  @Test
  void backendCloseReachesTheClientWithItsCode() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));
    Connection ws = client.open(gateway.port(), "/ws/chat");
    assertThat(ws.echo("ping")).isEqualTo("ping");

    backend.closeAll((short) 4002, "server leaves");

    assertThat(ws.closed().get(10, TimeUnit.SECONDS)).isEqualTo((short) 4002);
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_requests_total",
        Map.of("route", "ws", "status", "101"), 1, 10_000);
    assertThat(gateway.gateway().runtime().inFlight()).isZero();
  }

  @Test
  void aClientResetClosesTheBackendSideToo() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(HANDSHAKE.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
      awaitTrue("the backend's WebSocket is open", () -> backend.openSockets() == 1);
      socket.setSoLinger(true, 0); // close with a TCP reset, no close frame
    }

    Await.result(backend.firstCloseCode());
    assertThat(backend.openSockets()).isZero();
    awaitTrue("the tunnel is no longer in flight", () -> gateway.gateway().runtime().inFlight() == 0);
  }

  @Test
  void backendRefusalIsRelayedAsAnOrdinaryResponseWithoutUpgrade() throws Exception {
    WebSocketBackend backend = backend().rejectWith(403);
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), HANDSHAKE, 1_500);
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.text().toLowerCase()).doesNotContain("upgrade:").doesNotContain("sec-websocket-accept");

    Throwable failure = Await.failure(client.connect(gateway.port(), "/ws/chat", List.of()));
    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(403);
    assertThat(backend.handshakes()).hasSize(2);
    assertThat(backend.openSockets()).isZero();
    // A refused handshake's upstream connection is not reused half-upgraded: it is closed.
    backend.awaitAllConnectionsClosed(10_000);
  }

  @Test
  void routeWithoutWebsocketForwardsThePlainRequestAndDoesNotUpgrade() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(false, 5_000, backend.port()));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), HANDSHAKE, 1_500);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).endsWith("plain");
    assertThat(backend.handshakes()).isEmpty();
    assertThat(backend.plainRequests()).hasSize(1);
    assertThat(backend.plainRequests().get(0).get("Upgrade")).isNull();
  }

  @Test
  void openBreakerAnswers503WithoutTouchingTheBackend() {
    WebSocketBackend backend = backend().rejectWith(500);
    TestGateway gateway = gateway(config(true, 5_000,
        "{'retry':{'maxAttempts':1},'circuitBreaker':{'maxFailures':1,'failureStatuses':[500]}}",
        backend.port()));

    Throwable first = Await.failure(client.connect(gateway.port(), "/ws/chat", List.of()));
    assertThat(((UpgradeRejectedException) first).getStatus()).isEqualTo(500);
    AdminProbe.awaitCircuit(gateway.adminPort(), "backend", 0, "open", 10_000);
    int connectionsSoFar = backend.connections();

    Throwable second = Await.failure(client.connect(gateway.port(), "/ws/chat", List.of()));
    UpgradeRejectedException rejected = (UpgradeRejectedException) second;
    assertThat(rejected.getStatus()).isEqualTo(503);
    assertThat(new JsonObject(rejected.getBody()).getString("error")).isEqualTo("circuit_open");
    assertThat(backend.handshakes()).hasSize(1);
    assertThat(backend.connections()).isEqualTo(connectionsSoFar);
  }

  @Test
  void handshakeTheBackendNeverAnswersGets504WithinTheBudget() throws Exception {
    WebSocketBackend backend = backend().silent();
    TestGateway gateway = gateway(config(true, 1_000, backend.port()));

    long start = System.nanoTime();
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), HANDSHAKE, 10_000);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.text()).contains("deadline_exceeded").doesNotContain("Upgrade: websocket");
    assertThat(elapsedMs).isBetween(900L, 4_000L);
    assertThat(backend.handshakes()).hasSize(1);
    backend.awaitAllConnectionsClosed(10_000); // the pending handshake was reset
  }

  @Test
  void tunnelOutlivesTheRouteTimeout() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 1_000, backend.port()));
    Connection ws = client.open(gateway.port(), "/ws/chat");
    assertThat(ws.echo("before")).isEqualTo("before");

    Thread.sleep(2_500); // the quiet time is the point: the route timeout passes twice over

    assertThat(ws.isClosed()).isFalse();
    assertThat(ws.echo("after")).isEqualTo("after");
  }

  @Test
  void theListenersIdleTimeoutClosesAQuietTunnelOnBothSides() throws Exception {
    WebSocketBackend backend = backend();
    JsonObject config = config(true, 5_000, backend.port());
    config.put("server", new JsonObject().put("idleTimeoutMs", 500));
    TestGateway gateway = gateway(config);
    Connection ws = client.open(gateway.port(), "/ws/chat");
    long start = System.nanoTime();
    assertThat(ws.echo("then silence")).isEqualTo("then silence");

    ws.closed().get(10, TimeUnit.SECONDS);
    long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(closedAfterMs).isGreaterThanOrEqualTo(400L);
    Await.result(backend.firstCloseCode()); // the backend's side was closed too
    assertThat(backend.openSockets()).isZero();
  }

  @Test
  void quietTunnelSurvivesTheRequestHeaderTimeout() throws Exception {
    WebSocketBackend backend = backend();
    TestGateway gateway = harness.start(config(true, 5_000, backend.port()),
        GatewayOptions.defaults().withRequestHeaderTimeoutMs(300));
    Connection ws = client.open(gateway.port(), "/ws/chat");
    // A frame sent half-way: bytes the header timeout would take for the start of a request head.
    assertThat(ws.echo("first")).isEqualTo("first");
    Thread.sleep(1_200); // quiet for four header timeouts
    assertThat(ws.echo("second")).isEqualTo("second");
    Thread.sleep(1_200);

    assertThat(ws.isClosed()).isFalse();
    assertThat(ws.echo("third")).isEqualTo("third");
  }

  @Test
  void backendSeesTheForwardingAndHandshakeHeadersAndTheClientTheNegotiatedProtocol() {
    WebSocketBackend backend = backend();
    TestGateway gateway = gateway(config(true, 5_000, backend.port()));

    Connection ws = Await.result(client.connect(gateway.port(), "/ws/chat?room=1", List.of("chat"),
        "X-Request-Id", "ws-request-1", "X-Forwarded-For", "10.0.0.9"));

    assertThat(ws.ws().subProtocol()).isEqualTo("chat");
    assertThat(ws.ws().headers().get("X-Request-Id")).isEqualTo("ws-request-1");
    assertThat(ws.ws().headers().get("Via")).isEqualTo("1.1 portcullis");
    assertThat(ws.ws().headers().get("Sec-WebSocket-Accept")).isNotBlank();
    MultiMap seen = backend.handshakes().get(0);
    assertThat(seen.get("X-Request-Id")).isEqualTo("ws-request-1");
    assertThat(seen.get("X-Forwarded-For")).isEqualTo("10.0.0.9, 127.0.0.1");
    assertThat(seen.get("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(seen.get("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + gateway.port());
    assertThat(seen.get("Via")).isEqualTo("1.1 portcullis");
    assertThat(Long.parseLong(seen.get("X-Request-Timeout-Ms"))).isBetween(1L, 5_000L);
    assertThat(seen.get("X-Attempt-Count")).isEqualTo("1");
    assertThat(seen.get("Upgrade")).isEqualToIgnoringCase("websocket");
    assertThat(seen.get("Connection")).isEqualToIgnoringCase("Upgrade");
    assertThat(seen.get("Sec-WebSocket-Key")).isNotBlank();
    assertThat(seen.get("Sec-WebSocket-Version")).isEqualTo("13");
    assertThat(seen.get("Sec-WebSocket-Protocol")).isEqualTo("chat");
    assertThat(seen.get("Host")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(ws.echo("hi")).isEqualTo("hi");
  }

  @Test
  void handshakeIsRetriedOnAnotherEndpointAfterAConnectFailure() throws Exception {
    WebSocketBackend backend = backend();
    int refused = harness.refusedPort();
    TestGateway gateway = gateway(config(true, 5_000, "{'balancer':'round-robin','retry':{'maxAttempts':2}}",
        refused, backend.port()));

    for (int i = 0; i < 2; i++) {
      Connection ws = client.open(gateway.port(), "/ws/chat");
      assertThat(ws.echo("try " + i)).isEqualTo("try " + i);
    }

    assertThat(backend.handshakes()).extracting(h -> h.get("X-Attempt-Count")).contains("2");
  }

  @Test
  void gracefulShutdownKeepsAnOpenTunnelUntilTheEndOfGraceThenClosesIt() throws Exception {
    WebSocketBackend backend = backend();
    JsonObject config = config(true, 5_000, backend.port());
    config.put("shutdown", new JsonObject().put("drainMs", 0).put("graceMs", 800));
    TestGateway gateway = TestGateway.start(config);
    Connection ws = client.open(gateway.port(), "/ws/chat");
    assertThat(ws.echo("before")).isEqualTo("before");

    long start = System.nanoTime();
    io.vertx.core.Future<Void> shutdown = gateway.gateway().shutdown();
    assertThat(ws.echo("during grace")).isEqualTo("during grace");

    ws.closed().get(15, TimeUnit.SECONDS);
    long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    Await.result(shutdown, 20_000);
    Await.result(gateway.gateway().closeVertx(), 20_000);
    assertThat(closedAfterMs).isBetween(500L, 10_000L);
    assertThat(gateway.gateway().runtime().inFlight()).isZero();
  }

  @Test
  void aReloadThatReplacesTheUpstreamsClientLeavesAnOpenTunnelWorking(@TempDir Path dir) throws Exception {
    WebSocketBackend backend = backend();
    Path file = dir.resolve("gateway.json");
    JsonObject before = TestGateway.withTestDefaults(config(true, 5_000, backend.port())
        .put("reload", new JsonObject().put("watch", false)));
    write(file, before);
    TestGateway gateway = harness.startFromFile(file);
    Connection ws = client.open(gateway.port(), "/ws/chat");
    assertThat(ws.echo("before the reload")).isEqualTo("before the reload");

    JsonObject after = before.copy();
    after.getJsonObject("upstreams").getJsonObject("backend").put("connectTimeoutMs", 1_500); // a new client
    write(file, after);
    HttpResponse<String> reload = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/reload"))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    assertThat(new JsonObject(reload.body()).getJsonObject("upstreams").getJsonArray("changed"))
        .containsExactly("backend");

    assertThat(ws.echo("after the reload")).isEqualTo("after the reload");
    assertThat(ws.isClosed()).isFalse();
    Connection second = client.open(gateway.port(), "/ws/chat");
    assertThat(second.echo("a new tunnel")).isEqualTo("a new tunnel");
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Polls {@code condition} (state with no event to wait on) for up to 10 s. */
  private static void awaitTrue(String what, BooleanSupplier condition) {
    Await.until(what, 10_000, condition);
  }

  private static void write(Path file, JsonObject config) throws java.io.IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, config.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static WebSocketBackend backend() {
    return harness.add(WebSocketBackend.start());
  }

  private static TestGateway gateway(JsonObject config) {
    return harness.start(config);
  }

  private static JsonObject config(boolean websocket, long routeTimeoutMs, int... ports) {
    return config(websocket, routeTimeoutMs, null, ports);
  }

  private static JsonObject config(boolean websocket, long routeTimeoutMs, String upstreamExtra, int... ports) {
    JsonObject config = TestGateway.proxyConfig(upstreamExtra == null ? null : upstreamExtra.replace('\'', '"'), ports);
    JsonObject route = new JsonObject().put("name", "ws").put("match", new JsonObject().put("pathPrefix", "/ws"))
        .put("upstream", "backend").put("timeoutMs", routeTimeoutMs);
    if (websocket) {
      route.put("websocket", true);
    }
    config.put("routes", new JsonArray().add(route));
    return config;
  }
}
