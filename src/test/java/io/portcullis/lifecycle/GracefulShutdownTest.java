package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.health.Readiness;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The graceful shutdown of README "Signals and shutdown", in process: readiness DOWN, drain with
 * {@code Connection: close}, stop accepting, wait for in-flight requests, undeploy everything.
 */
class GracefulShutdownTest {

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();


  @Test
  void slowInFlightRequestsAllCompleteWith200AndShutdownCompletesOnlyAfterThem() throws Exception {
    int requests = 5;
    VertxTestContext arrivals = new VertxTestContext();
    Checkpoint arrived = arrivals.checkpoint(requests);
    Queue<Long> backendAnsweredAt = new ConcurrentLinkedQueue<>();
    FakeBackend backend = harness.backend(req -> {
      arrived.flag();
      // The backend answers after 1 s (a timer on its own event loop).
      Vertx.currentContext().owner().setTimer(1000, id -> {
        backendAnsweredAt.add(System.nanoTime());
        req.response().end("slow-ok");
      });
    });
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 500, 5000);

    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    Queue<Long> clientDoneAt = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < requests; i++) {
      inFlight.add(getAsync(gateway.url("/slow/" + i)).whenComplete((r, e) -> clientDoneAt.add(System.nanoTime())));
    }
    Await.completion(arrivals, 10_000, "all " + requests + " requests reached the backend");
    assertThat(gateway.gateway().runtime().inFlight()).isEqualTo(requests);

    // What the completion handler saw, waited for through the handler itself: a thread awaiting
    // the shutdown future can wake while the event loop is still calling its earlier listeners.
    AtomicLong shutdownDoneAt = new AtomicLong();
    CompletableFuture<Integer> inFlightAtCompletion = new CompletableFuture<>();
    Future<Void> shutdown = gateway.gateway().shutdown().onComplete(ar -> {
      shutdownDoneAt.set(System.nanoTime());
      inFlightAtCompletion.complete(gateway.gateway().runtime().inFlight());
    });

    for (CompletableFuture<HttpResponse<String>> request : inFlight) {
      HttpResponse<String> response = request.get(15, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow-ok");
    }
    Await.result(shutdown, 15_000);

    assertThat(backendAnsweredAt).hasSize(requests);
    assertThat(clientDoneAt).hasSize(requests);
    assertThat(inFlightAtCompletion.get(15, TimeUnit.SECONDS))
        .as("requests in flight when the shutdown future completed").isZero();
    for (long answered : backendAnsweredAt) {
      assertThat(shutdownDoneAt.get()).as("shutdown completed after the backend answered").isGreaterThan(answered);
    }
    assertEverythingUndeployed(gateway);
  }

  @Test
  void aRequestSentDuringTheDrainIsServedWithConnectionClose() throws Exception {
    FakeBackend backend = harness.okBackend("drained");
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 3000, 5000);

    Future<Void> shutdown = gateway.gateway().shutdown();
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET /during-drain HTTP/1.1\r\nHost: gw\r\n\r\n", 10_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text()).endsWith("drained");
    assertThat(headerLines(reply.text())).contains("connection: close");
    assertThat(reply.closed()).as("the gateway closes the connection after answering").isTrue();
    // Closed by the gateway right after the response (RFC 9112 §9.6), not by the end of the drain.
    assertThat(gateway.gateway().readiness().phase())
        .as("still draining when the connection was closed").isEqualTo(Readiness.Phase.DRAINING);
    assertThat(shutdown.isComplete()).isFalse();
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void aKeepAliveConnectionOpenedBeforeShutdownGetsConnectionCloseOnItsNextRequest() throws Exception {
    FakeBackend backend = harness.okBackend("kept");
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 3000, 5000);

    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      String before = exchangeOnOpenSocket(socket, "/before");
      assertThat(before).startsWith("HTTP/1.1 200");
      assertThat(headerLines(before)).doesNotContain("connection: close");

      Future<Void> shutdown = gateway.gateway().shutdown();
      String during = exchangeOnOpenSocket(socket, "/during");

      assertThat(during).startsWith("HTTP/1.1 200");
      assertThat(headerLines(during)).contains("connection: close");
      assertThat(socket.getInputStream().read()).as("then the gateway closes the connection").isEqualTo(-1);
      // Closed by the gateway right after the response (RFC 9112 §9.6), not by the end of the drain.
      assertThat(gateway.gateway().readiness().phase())
          .as("still draining when the connection was closed").isEqualTo(Readiness.Phase.DRAINING);
      assertThat(shutdown.isComplete()).isFalse();
    }
  }

  @Test
  void aRequestAlreadyInFlightWhenTheDrainStartsIsAnsweredWithConnectionClose() throws Exception {
    VertxTestContext arrivals = new VertxTestContext();
    Checkpoint arrived = arrivals.checkpoint();
    FakeBackend backend = harness.backend(req -> {
      arrived.flag();
      Vertx.currentContext().owner().setTimer(400, id -> req.response().end("answered-late"));
    });
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 3000, 5000);

    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      sendGet(socket, "/slow");
      Await.completion(arrivals, 10_000, "the request reached the backend");
      Future<Void> shutdown = gateway.gateway().shutdown();

      String reply = readResponse(socket);

      assertThat(reply).startsWith("HTTP/1.1 200").endsWith("answered-late");
      assertThat(headerLines(reply)).as("sent before the drain, answered during it").contains("connection: close");
      assertThat(socket.getInputStream().read()).as("then the gateway closes the connection").isEqualTo(-1);
      assertThat(gateway.gateway().readiness().phase())
          .as("still draining when the connection was closed").isEqualTo(Readiness.Phase.DRAINING);
      assertThat(shutdown.isComplete()).isFalse();
    }
  }

  @Test
  void aRequestStillInFlightWhenTheGracePeriodEndsIsLoggedAsCutOff() throws Exception {
    VertxTestContext arrivals = new VertxTestContext();
    Checkpoint arrived = arrivals.checkpoint();
    FakeBackend backend = harness.backend(req -> arrived.flag()); // never answers
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 0, 300);

    try (LogCapture log = LogCapture.of("portcullis.lifecycle")) {
      CompletableFuture<HttpResponse<String>> hanging = getAsync(gateway.url("/hangs"));
      Await.completion(arrivals, 10_000, "the request reached the backend");
      Await.result(gateway.gateway().shutdown(), 15_000);

      assertThat(log.events()).map(ILoggingEvent::getFormattedMessage)
          .anySatisfy(line -> assertThat(line).startsWith("shutdown phase 4/5: grace period over with 1 request(s) still in flight"))
          .noneSatisfy(line -> assertThat(line).contains("every in-flight request finished"));
      assertThat(hanging).as("cut off, without an answer").failsWithin(Duration.ofSeconds(10));
    }
  }

  @Test
  void afterTheDrainNewConnectionsAreRefusedWhileInFlightRequestsFinish() throws Exception {
    Promise<HttpServerRequest> held = Promise.promise();
    FakeBackend backend = harness.backend(held::tryComplete);
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 300, 20_000);
    int port = gateway.port();
    assertThat(probe(port)).as("accepting before shutdown").isTrue();

    CompletableFuture<HttpResponse<String>> inFlight = getAsync(gateway.url("/held"));
    HttpServerRequest request = Await.result(held.future(), 10_000);

    Future<Void> shutdown = gateway.gateway().shutdown();
    // No event tells the test that the listener closed: probe until a new connection fails.
    Await.until("a new connection fails within 10 s of shutdown (drain is 300 ms)", 10_000, () -> !probe(port));
    assertThat(inFlight).as("the held request is still in flight").isNotDone();
    assertThat(shutdown.isComplete()).as("shutdown waits for the held request").isFalse();
    assertThat(gateway.gateway().readiness().phase()).isEqualTo(Readiness.Phase.STOPPING);

    // The admin port still answers while the gateway waits: live UP, ready DOWN.
    HttpResponse<String> live = get("http://127.0.0.1:" + gateway.adminPort() + "/healthz/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body()).getString("status")).isEqualTo("UP");
    HttpResponse<String> ready = get("http://127.0.0.1:" + gateway.adminPort() + "/healthz/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("DOWN");

    backend.vertx().runOnContext(v -> request.response().end("finally"));
    HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("finally");
    Await.result(shutdown, 15_000);
    assertEverythingUndeployed(gateway);
    assertThat(probe(port)).as("still refused after shutdown").isFalse();
  }

  @Test
  void everyVerticleIsUndeployedWhenTheShutdownFutureCompletes() {
    FakeBackend backend = harness.okBackend("x");
    TestGateway gateway = start(TestGateway.proxyConfig(null, backend.port()), 0, 2000);
    assertThat(gateway.gateway().gatewayDeployed()).isTrue();
    assertThat(gateway.gateway().vertx().deploymentIDs()).isNotEmpty();

    Future<Void> shutdown = gateway.gateway().shutdown();
    Await.result(shutdown, 15_000);

    assertEverythingUndeployed(gateway);
    assertThat(gateway.gateway().shutdown()).as("shutdown is idempotent").isSameAs(shutdown);
  }

  // ---------------------------------------------------------------- helpers

  private static void assertEverythingUndeployed(TestGateway gateway) {
    assertThat(gateway.gateway().vertx().deploymentIDs()).as("deployments left").isEmpty();
    assertThat(gateway.gateway().gatewayDeployed()).isFalse();
  }

  private static TestGateway start(JsonObject config, long drainMs, long graceMs) {
    config.put("shutdown", new JsonObject().put("drainMs", drainMs).put("graceMs", graceMs));
    return harness.start(config);
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String url) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Whether a NEW connection to {@code port} is accepted and served: connects, asks for
   * {@code /healthz/live} and expects a 200. A refused or reset connection, or one closed
   * without an answer, is false.
   */
  private static boolean probe(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /healthz/live HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      byte[] head = socket.getInputStream().readNBytes(12);
      return new String(head, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends a GET on an open keep-alive connection and reads exactly one response (Content-Length framed). */
  private static String exchangeOnOpenSocket(Socket socket, String path) throws IOException {
    sendGet(socket, path);
    return readResponse(socket);
  }

  private static void sendGet(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads exactly one response (Content-Length framed) from an open connection. */
  private static String readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed mid-response: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String headText = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : headLines(headText)) {
      if (line.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return headText + new String(body, StandardCharsets.ISO_8859_1);
  }

  /** The header lines of a raw response, lower-cased, without the status line. */
  private static List<String> headerLines(String response) {
    int end = response.indexOf("\r\n\r\n");
    return headLines(end < 0 ? response : response.substring(0, end));
  }

  private static List<String> headLines(String head) {
    List<String> lines = new ArrayList<>();
    String[] all = head.split("\r\n");
    for (int i = 1; i < all.length; i++) {
      lines.add(all[i].trim().toLowerCase(Locale.ROOT));
    }
    return lines;
  }
}
