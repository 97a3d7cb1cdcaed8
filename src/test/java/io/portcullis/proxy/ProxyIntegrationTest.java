package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming proxy end to end over real sockets (README "Errors" and "How a request flows"): bodies in both directions,
 * pass-through of upstream answers, hop-by-hop rules, request ids, forwarding headers, size
 * limits, framing refusals, upstream failures and connection reuse.
 */
@Timeout(90)
class ProxyIntegrationTest {

  private static final int MIB = 1024 * 1024;
  private static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";

  private static Vertx vertx;
  private static HttpClient client;
  private static java.net.http.HttpClient jdk;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  @BeforeAll
  static void startClients() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    jdk = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void closeClients() {
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  @AfterEach
  void closeResources() throws Exception {
    while (!resources.isEmpty()) {
      resources.pop().close();
    }
  }

  // ---------------------------------------------------------------- set-up helpers

  private FakeBackend backend(Handler<HttpServerRequest> handler) {
    FakeBackend backend = FakeBackend.start(handler);
    resources.push(backend);
    return backend;
  }

  private TestGateway gateway(JsonObject config) {
    TestGateway gateway = TestGateway.start(config);
    resources.push(gateway);
    return gateway;
  }

  private TestGateway gatewayTo(int... ports) {
    return gateway(TestGateway.proxyConfig(null, ports));
  }

  /** Closes a gateway before the end of the test (it is then not closed again). */
  private void closeNow(TestGateway gateway) {
    resources.remove(gateway);
    gateway.close();
  }

  private static JsonObject withServer(JsonObject config, JsonObject server) {
    return config.put("server", server);
  }

  private static JsonObject firstRoute(JsonObject config) {
    return config.getJsonArray("routes").getJsonObject(0);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static HttpResponse<String> jdkGet(TestGateway gateway, String path, String... headers) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.url(path)))
        .timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return jdk.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertJsonError(int status, String code, RawResponse response) {
    assertThat(response.status).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/json");
    JsonObject body = response.json();
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("requestId")).isNotBlank().isEqualTo(response.header("X-Request-Id"));
  }

  /** What an echo backend received: the body's SHA-256 and length. */
  private record Received(String method, String sha256, long length) {
  }

  /**
   * Echoes the request body as it arrives (with back-pressure), hashing it on the way; the
   * response has the request's Content-Length if it had one, else it is chunked.
   */
  private static Handler<HttpServerRequest> streamingEcho(CompletableFuture<Received> received) {
    return req -> {
      MessageDigest digest = sha256();
      long[] length = {0};
      HttpServerResponse response = req.response();
      String contentLength = req.getHeader("Content-Length");
      if (contentLength != null) {
        response.putHeader("Content-Length", contentLength);
      } else {
        response.setChunked(true);
      }
      response.putHeader("Content-Type", "application/octet-stream");
      req.handler(chunk -> {
        digest.update(chunk.getBytes());
        length[0] += chunk.length();
        response.write(chunk);
        if (response.writeQueueFull()) {
          req.pause();
          response.drainHandler(v -> req.resume());
        }
      });
      req.exceptionHandler(received::completeExceptionally);
      req.endHandler(v -> {
        received.complete(new Received(req.method().name(), HexFormat.of().formatHex(digest.digest()), length[0]));
        response.end();
      });
    };
  }

  /** What the client got back through the Vert.x client. */
  private record Echoed(int status, String sha256, long length, String contentLength, String transferEncoding) {
  }

  /**
   * Runs a client chain on an event loop, so each continuation is attached before the event it
   * waits for can fire (a response body must not start arriving before its handler is set).
   */
  private static <T> Future<T> onEventLoop(java.util.function.Supplier<Future<T>> chain) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> chain.get().onComplete(promise));
    return promise.future();
  }

  private static Future<Echoed> collect(HttpClientResponse response) {
    return response.body().map(body -> new Echoed(response.statusCode(), sha256(body.getBytes()), body.length(),
        response.getHeader("Content-Length"), response.getHeader("Transfer-Encoding")));
  }

  // ---------------------------------------------------------------- bodies

  static Stream<Arguments> methodsAndSizes() {
    List<Arguments> all = new ArrayList<>();
    for (String method : List.of("GET", "POST", "PUT")) {
      for (int size : new int[] {0, 1024, 5 * MIB}) {
        all.add(Arguments.of(method, size));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} with a body of {1} bytes")
  @MethodSource("methodsAndSizes")
  void aRequestBodyReachesTheBackendIntactAndTheEchoedResponseBodyReachesTheClientIntact(String method, int size)
      throws Exception {
    CompletableFuture<Received> received = new CompletableFuture<>();
    FakeBackend backend = backend(streamingEcho(received));
    TestGateway gateway = gatewayTo(backend.port());
    byte[] body = randomBytes(size, size * 31L + method.hashCode());
    String expected = sha256(body);

    Echoed echoed = Await.result(onEventLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.valueOf(method))
            .setHost("127.0.0.1").setPort(gateway.port()).setURI("/echo"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(ProxyIntegrationTest::collect)), 60_000);

    Received seen = received.get(30, TimeUnit.SECONDS);
    assertThat(seen.method()).isEqualTo(method);
    assertThat(seen.length()).isEqualTo(size);
    assertThat(seen.sha256()).as("SHA-256 of what the backend received").isEqualTo(expected);
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.length()).isEqualTo(size);
    assertThat(echoed.sha256()).as("SHA-256 of what the client got back").isEqualTo(expected);
    if (size > 0) {
      assertThat(echoed.contentLength()).isEqualTo(Integer.toString(size));
    }
  }

  @Test
  void aChunkedUploadOf5MiBIsStreamedIntactAndTheChunkedEchoComesBackIntact() throws Exception {
    CompletableFuture<Received> received = new CompletableFuture<>();
    FakeBackend backend = backend(streamingEcho(received));
    TestGateway gateway = gatewayTo(backend.port());
    byte[] body = randomBytes(5 * MIB, 7);

    Echoed echoed = Await.result(onEventLoop(() -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(gateway.port()).setURI("/chunked"))
        .compose(req -> {
          // Body handlers must be in place before the echo starts arriving, i.e. before writing.
          Future<Echoed> echo = req.response().compose(ProxyIntegrationTest::collect);
          req.setChunked(true);
          for (int off = 0; off < body.length; off += 64 * 1024) {
            req.write(Buffer.buffer(java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + 64 * 1024))));
          }
          return req.end().compose(v -> echo);
        })), 60_000);

    Received seen = received.get(30, TimeUnit.SECONDS);
    assertThat(seen.length()).isEqualTo(body.length);
    assertThat(seen.sha256()).isEqualTo(sha256(body));
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.transferEncoding()).isEqualToIgnoringCase("chunked");
    assertThat(echoed.length()).isEqualTo(body.length);
    assertThat(echoed.sha256()).isEqualTo(sha256(body));
    assertThat(backend.seen().get(0).header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
  }

  @Test
  void bodiesAreStreamedInBothDirectionsWithoutWaitingForTheirEnd() throws Exception {
    int requestSize = 2 * MIB;
    byte[] firstHalf = randomBytes(requestSize / 2, 1);
    byte[] secondHalf = randomBytes(requestSize / 2, 2);
    byte[] responseStart = randomBytes(256 * 1024, 3);
    byte[] responseRest = randomBytes(256 * 1024, 4);
    CompletableFuture<Void> backendGotFirstBytes = new CompletableFuture<>();
    CompletableFuture<Void> clientGotFirstBytes = new CompletableFuture<>();
    CompletableFuture<HttpServerResponse> backendResponding = new CompletableFuture<>();
    FakeBackend backend = backend(req -> {
      MessageDigest digest = sha256();
      req.handler(chunk -> {
        digest.update(chunk.getBytes());
        backendGotFirstBytes.complete(null);
      });
      req.endHandler(v -> {
        HttpServerResponse response = req.response().setChunked(true)
            .putHeader("X-Request-Sha256", HexFormat.of().formatHex(digest.digest()));
        response.write(Buffer.buffer(responseStart));
        backendResponding.complete(response);
      });
    });
    TestGateway gateway = gatewayTo(backend.port());

    HttpClientRequest request = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(gateway.port()).setURI("/stream")));
    request.putHeader("Content-Length", Integer.toString(requestSize));
    MessageDigest clientDigest = sha256();
    long[] clientBytes = {0};
    Future<Echoed> done = request.response().compose(response -> {
      Promise<Echoed> promise = Promise.promise();
      response.handler(chunk -> {
        clientDigest.update(chunk.getBytes());
        clientBytes[0] += chunk.length();
        clientGotFirstBytes.complete(null);
      });
      response.exceptionHandler(promise::tryFail);
      response.endHandler(v -> promise.tryComplete(new Echoed(response.statusCode(),
          HexFormat.of().formatHex(clientDigest.digest()), clientBytes[0], response.getHeader("X-Request-Sha256"), null)));
      return promise.future();
    });

    request.write(Buffer.buffer(firstHalf));
    backendGotFirstBytes.get(30, TimeUnit.SECONDS); // fails here if the gateway waits for the whole request body
    request.end(Buffer.buffer(secondHalf));
    HttpServerResponse backendResponse = backendResponding.get(30, TimeUnit.SECONDS);
    clientGotFirstBytes.get(30, TimeUnit.SECONDS); // fails here if the gateway waits for the whole response body
    backend.vertx().runOnContext(v -> backendResponse.end(Buffer.buffer(responseRest)));
    Echoed echoed = Await.result(done, 30_000);

    byte[] whole = new byte[requestSize];
    System.arraycopy(firstHalf, 0, whole, 0, firstHalf.length);
    System.arraycopy(secondHalf, 0, whole, firstHalf.length, secondHalf.length);
    byte[] wholeResponse = new byte[responseStart.length + responseRest.length];
    System.arraycopy(responseStart, 0, wholeResponse, 0, responseStart.length);
    System.arraycopy(responseRest, 0, wholeResponse, responseStart.length, responseRest.length);
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.contentLength()).as("backend's hash of the request body").isEqualTo(sha256(whole));
    assertThat(echoed.length()).isEqualTo(wholeResponse.length);
    assertThat(echoed.sha256()).isEqualTo(sha256(wholeResponse));
  }

  // ---------------------------------------------------------------- pass-through

  @Test
  void theUpstreamStatusHeadersAndBodyArePassedThroughUnchanged() throws Exception {
    FakeBackend backend = backend(req -> req.response()
        .setStatusCode(418).setStatusMessage("I'm a teapot")
        .putHeader("Content-Type", "text/x-teapot; charset=utf-8")
        .putHeader("X-Custom", "short and stout")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("Set-Cookie", List.<String>of("a=1; Path=/", "b=2; HttpOnly"))
        .putHeader("X-Request-Id", "the-backends-own-id")
        .end("here is my handle, here is my spout"));
    TestGateway gateway = gatewayTo(backend.port());

    HttpResponse<String> response = jdkGet(gateway, "/tea", "X-Request-Id", "client-id-418");

    assertThat(response.statusCode()).isEqualTo(418);
    assertThat(response.body()).isEqualTo("here is my handle, here is my spout");
    assertThat(response.headers().firstValue("Content-Type")).contains("text/x-teapot; charset=utf-8");
    assertThat(response.headers().allValues("X-Custom")).containsExactly("short and stout");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(response.headers().allValues("Set-Cookie")).containsExactly("a=1; Path=/", "b=2; HttpOnly");
    assertThat(response.headers().allValues("X-Request-Id"))
        .as("the gateway's request id replaces the backend's").containsExactly("client-id-418");
    assertThat(response.headers().firstValue("Content-Length"))
        .contains(Integer.toString("here is my handle, here is my spout".length()));
  }

  @Test
  void anUpstream500IsPassedThroughUntouchedAndNotRetriedForPost() throws Exception {
    FakeBackend backend = backend(req -> req.response().setStatusCode(500)
        .putHeader("Content-Type", "application/problem+json")
        .end("{\"title\":\"backend exploded\"}"));
    TestGateway gateway = gatewayTo(backend.port());

    HttpResponse<String> response = jdk.send(HttpRequest.newBuilder(URI.create(gateway.url("/boom")))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(response.body()).isEqualTo("{\"title\":\"backend exploded\"}");
    assertThat(backend.requests()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- hop-by-hop

  @Test
  void hopByHopRequestHeadersAndHeadersNamedInConnectionNeverReachTheBackend() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /hop HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Connection: close, X-Secret-Hop\r\n"
          + "Keep-Alive: timeout=5, max=100\r\n"
          + "Proxy-Connection: keep-alive\r\n"
          + "TE: trailers\r\n"
          + "Trailer: X-Checksum\r\n"
          + "Upgrade: example/1\r\n"
          + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
          + "X-Secret-Hop: do-not-forward\r\n"
          + "X-End-To-End: kept\r\n"
          + "\r\n");
      response = raw.read();
    }

    assertThat(response.status).isEqualTo(200);
    assertThat(backend.requests()).isEqualTo(1);
    FakeBackend.Seen seen = backend.seen().get(0);
    for (String name : List.of("Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
        "Proxy-Authorization", "X-Secret-Hop")) {
      assertThat(seen.headers().contains(name)).as("backend received %s: %s", name, seen.header(name)).isFalse();
    }
    assertThat(seen.header("X-End-To-End")).isEqualTo("kept");
  }

  @Test
  void aHeaderNamedInASecondConnectionHeaderNeverReachesTheBackend() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /hop2 HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Connection: \r\n"
          + "Connection: X-Secret-Hop\r\n"
          + "X-Secret-Hop: do-not-forward\r\n"
          + "X-End-To-End: kept\r\n"
          + "\r\n");
      response = raw.read();
    }

    assertThat(response.status).isEqualTo(200);
    FakeBackend.Seen seen = backend.seen().get(0);
    assertThat(seen.header("X-Secret-Hop")).as("header named in Connection").isNull();
    assertThat(seen.header("X-End-To-End")).isEqualTo("kept");
  }

  @Test
  void hopByHopResponseHeadersAndHeadersTheBackendNamesInConnectionNeverReachTheClient() throws Exception {
    RawBackend backend = rawBackend("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/plain\r\n"
        + "Content-Length: 2\r\n"
        + "Connection: X-Backend-Hop\r\n"
        + "Keep-Alive: timeout=5, max=100\r\n"
        + "X-Backend-Hop: secret\r\n"
        + "Proxy-Authenticate: Basic realm=\"x\"\r\n"
        + "Proxy-Connection: keep-alive\r\n"
        + "Trailer: X-Checksum\r\n"
        + "Upgrade: example/1\r\n"
        + "X-End-To-End: kept\r\n"
        + "\r\n"
        + "ok");
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /from-backend HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
    }

    assertThat(response.status).isEqualTo(200);
    assertThat(response.text()).isEqualTo("ok");
    assertThat(response.header("X-End-To-End")).isEqualTo("kept");
    for (String name : List.of("Keep-Alive", "X-Backend-Hop", "Proxy-Authenticate", "Proxy-Connection", "Trailer",
        "Upgrade")) {
      assertThat(response.headers(name)).as("client received %s", name).isEmpty();
    }
    assertThat(response.headers("Connection")).as("the backend's Connection header is not forwarded")
        .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("x-backend-hop"));
  }

  // ---------------------------------------------------------------- request ids

  @Test
  void aValidIncomingRequestIdIsSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());
    String id = "Req-" + "x".repeat(124);

    HttpResponse<String> response = jdkGet(gateway, "/id", "X-Request-Id", id);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(backend.seen().get(0).headers().getAll("X-Request-Id")).containsExactly(id);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(id);
  }

  @Test
  void anInvalidIncomingRequestIdIsReplacedByOneUuidSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());
    String tooLong = "y".repeat(200);

    HttpResponse<String> response = jdkGet(gateway, "/id", "X-Request-Id", tooLong);

    String upstreamId = backend.seen().get(0).header("X-Request-Id");
    assertThat(upstreamId).isNotEqualTo(tooLong);
    assertThat(UUID.fromString(upstreamId).toString()).isEqualTo(upstreamId);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(upstreamId);
  }

  @Test
  void aRequestWithoutAnIdGetsAUuidSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    HttpResponse<String> response = jdkGet(gateway, "/id");

    String upstreamId = backend.seen().get(0).header("X-Request-Id");
    assertThat(UUID.fromString(upstreamId).toString()).isEqualTo(upstreamId);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(upstreamId);
  }

  @Test
  void theRequestIdIsReturnedOnA404() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("match", new JsonObject().put("pathPrefix", "/api"));
    TestGateway gateway = gateway(config);

    HttpResponse<String> kept = jdkGet(gateway, "/elsewhere", "X-Request-Id", "id-for-404");
    HttpResponse<String> replaced = jdkGet(gateway, "/elsewhere", "X-Request-Id", "bad id");

    assertThat(kept.statusCode()).isEqualTo(404);
    assertThat(kept.headers().allValues("X-Request-Id")).containsExactly("id-for-404");
    assertThat(new JsonObject(kept.body()).getString("requestId")).isEqualTo("id-for-404");
    assertThat(replaced.statusCode()).isEqualTo(404);
    String generated = replaced.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(UUID.fromString(generated).toString()).isEqualTo(generated);
    assertThat(new JsonObject(replaced.body()).getString("requestId")).isEqualTo(generated);
    assertThat(backend.requests()).isZero();
  }

  // ---------------------------------------------------------------- forwarding headers

  @Test
  void forwardingHeadersHostAttemptCountAndDeadlineAreSetForTheUpstream() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("timeoutMs", 4000);
    TestGateway gateway = gateway(config);

    HttpResponse<String> response = jdkGet(gateway, "/fwd", "X-Forwarded-For", "1.2.3.4");

    assertThat(response.statusCode()).isEqualTo(200);
    FakeBackend.Seen seen = backend.seen().get(0);
    assertThat(seen.headers().getAll("X-Forwarded-For")).containsExactly("1.2.3.4, 127.0.0.1");
    assertThat(seen.headers().getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(seen.headers().getAll("X-Forwarded-Host")).containsExactly("127.0.0.1:" + gateway.port());
    assertThat(seen.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
    assertThat(seen.headers().getAll("X-Attempt-Count")).containsExactly("1");
    assertThat(seen.headers().getAll(DEADLINE_HEADER)).hasSize(1);
    assertThat(Long.parseLong(seen.header(DEADLINE_HEADER))).isPositive().isLessThanOrEqualTo(4000);
  }

  @Test
  void withoutAnIncomingXForwardedForTheClientAddressIsTheWholeValue() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    jdkGet(gateway, "/fwd");

    assertThat(backend.seen().get(0).headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
  }

  @Test
  void clientSuppliedForwardingAndAttemptHeadersAreReplacedAndXForwardedHostIsTheClientsHost() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("timeoutMs", 4000);
    TestGateway gateway = gateway(config);

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /spoof HTTP/1.1\r\n"
          + "Host: shop.example.com:8443\r\n"
          + "X-Forwarded-Proto: https\r\n"
          + "X-Forwarded-Host: evil.example\r\n"
          + "X-Attempt-Count: 7\r\n"
          + DEADLINE_HEADER + ": 2500\r\n"
          + "\r\n");
      response = raw.read();
    }

    assertThat(response.status).isEqualTo(200);
    FakeBackend.Seen seen = backend.seen().get(0);
    assertThat(seen.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
    assertThat(seen.headers().getAll("X-Forwarded-Host")).containsExactly("shop.example.com:8443");
    assertThat(seen.headers().getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(seen.headers().getAll("X-Attempt-Count")).containsExactly("1");
    assertThat(seen.headers().getAll(DEADLINE_HEADER)).hasSize(1);
    assertThat(Long.parseLong(seen.header(DEADLINE_HEADER))).isPositive().isLessThanOrEqualTo(2500);
  }

  // ---------------------------------------------------------------- limits

  @Test
  void headersOverMaxHeaderBytesGet431HeadersTooLargeAndNeverReachTheBackend() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxHeaderBytes", 2048));
    TestGateway gateway = gateway(config);

    RawResponse small;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /small HTTP/1.1\r\nHost: gateway.test\r\nX-Fill: " + "s".repeat(1000) + "\r\n\r\n");
      small = raw.read();
    }
    RawResponse big;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /big HTTP/1.1\r\nHost: gateway.test\r\nX-Fill: " + "b".repeat(4000) + "\r\n\r\n");
      big = raw.read();
      closed = raw.closedByServer();
    }

    assertThat(small.status).as("a head under the limit is served").isEqualTo(200);
    assertJsonError(431, "headers_too_large", big);
    assertThat(closed).as("connection closed after 431").isTrue();
    assertThat(backend.seen()).extracting(FakeBackend.Seen::uri).containsExactly("/small");
  }

  @Test
  void aContentLengthOverMaxBodyBytesGets413PayloadTooLargeAndTheBackendReceivesNothing() throws Exception {
    FakeBackend backend = backend(req -> req.body().onSuccess(b -> req.response().end("got " + b.length())));
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxBodyBytes", 1000));
    TestGateway gateway = gateway(config);

    RawResponse atLimit;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(1000));
      atLimit = raw.read();
    }
    RawResponse over;
    try (RawClient raw = new RawClient(gateway.port())) {
      // Only the head: the gateway must refuse on the declared length without reading the body.
      raw.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5000\r\n\r\n");
      over = raw.read();
    }

    assertThat(atLimit.status).as("a body of exactly maxBodyBytes is accepted").isEqualTo(200);
    assertThat(atLimit.text()).isEqualTo("got 1000");
    assertJsonError(413, "payload_too_large", over);
    assertThat(backend.requests()).as("only the accepted request reached the backend").isEqualTo(1);
  }

  @Test
  void aChunkedUploadOverMaxBodyBytesGets413AndTheBackendNeverGetsACompleteBody() throws Exception {
    int maxBody = 16 * 1024;
    RawBackend backend = rawBackend(null); // records bytes, never answers
    JsonObject config = withServer(TestGateway.proxyConfig(null, backend.port()),
        new JsonObject().put("maxBodyBytes", maxBody));
    TestGateway gateway = gateway(config);

    RawResponse response;
    try (RawClient raw = new RawClient(gateway.port())) {
      StringBuilder request = new StringBuilder("POST /chunked-upload HTTP/1.1\r\nHost: gateway.test\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 5; i++) { // 5 x 4 KiB = 20 KiB > 16 KiB, and no last chunk yet
        request.append("1000\r\n").append("c".repeat(4096)).append("\r\n");
      }
      raw.send(request.toString());
      response = raw.read();
    }
    closeNow(gateway); // every gateway connection to the backend is closed once this returns

    assertJsonError(413, "payload_too_large", response);
    backend.awaitAllClosed();
    String received = backend.received();
    assertThat(received).as("the backend never receives the last chunk").doesNotContain("\r\n0\r\n\r\n");
  }

  // ---------------------------------------------------------------- framing

  @Test
  void contentLengthWithTransferEncodingGets400AndTheConnectionClosedAndNothingReachesTheBackend() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse response;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /smuggle HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Content-Length: 6\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "\r\n"
          + "0\r\n\r\n"
          + "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
      closed = raw.closedByServer();
    }

    assertJsonError(400, "bad_request", response);
    assertThat(closed).as("connection closed after the refusal").isTrue();
    assertThat(backend.requests()).isZero();
  }

  @Test
  void twoDifferingContentLengthsGet400AndTheConnectionClosedAndNothingReachesTheBackend() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("ok"));
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse response;
    boolean closed;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("POST /smuggle HTTP/1.1\r\n"
          + "Host: gateway.test\r\n"
          + "Content-Length: 5\r\n"
          + "Content-Length: 48\r\n"
          + "\r\n"
          + "hello"
          + "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      response = raw.read();
      closed = raw.closedByServer();
    }

    assertJsonError(400, "bad_request", response);
    assertThat(closed).as("connection closed after the refusal").isTrue();
    assertThat(backend.requests()).isZero();
  }

  // ---------------------------------------------------------------- upstream failures

  @Test
  void aRefusedUpstreamConnectionGets502UpstreamUnavailableNamingRouteAndUpstream() throws Exception {
    TestGateway gateway = gatewayTo(closedPort());

    HttpResponse<String> response = jdkGet(gateway, "/nobody-home");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("error")).isEqualTo("upstream_unavailable");
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("route")).isEqualTo("all");
    assertThat(body.getString("upstream")).isEqualTo("backend");
    String requestId = body.getString("requestId");
    assertThat(UUID.fromString(requestId).toString()).isEqualTo(requestId);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(requestId);
  }

  @Test
  void theClientsRequestIdIsReturnedOnA502() throws Exception {
    TestGateway gateway = gatewayTo(closedPort());

    HttpResponse<String> response = jdkGet(gateway, "/nobody-home", "X-Request-Id", "id-for-502");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly("id-for-502");
    assertThat(new JsonObject(response.body()).getString("requestId")).isEqualTo("id-for-502");
  }

  // ---------------------------------------------------------------- connections

  @Test
  void twoSequentialRequestsOnOneClientConnectionReuseOneBackendConnection() throws Exception {
    FakeBackend backend = backend(req -> req.response().end("hello " + req.path()));
    TestGateway gateway = gatewayTo(backend.port());

    RawResponse first;
    RawResponse second;
    try (RawClient raw = new RawClient(gateway.port())) {
      raw.send("GET /one HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      first = raw.read();
      raw.send("GET /two HTTP/1.1\r\nHost: gateway.test\r\n\r\n");
      second = raw.read();
    }

    assertThat(first.status).isEqualTo(200);
    assertThat(first.text()).isEqualTo("hello /one");
    assertThat(second.status).isEqualTo(200);
    assertThat(second.text()).isEqualTo("hello /two");
    assertThat(backend.requests()).isEqualTo(2);
    assertThat(backend.connections()).isEqualTo(1);
  }

  // ================================================================ raw helpers

  /**
   * A backend on a raw {@link NetServer}: answers every request head with {@code reply} verbatim
   * (or never, when {@code reply} is null) and records every byte it receives.
   */
  private RawBackend rawBackend(String reply) {
    RawBackend backend = new RawBackend(reply);
    resources.push(backend);
    return backend;
  }

  private static final class RawBackend implements AutoCloseable {
    private final NetServer server;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<CompletableFuture<Void>> closed = new CopyOnWriteArrayList<>();

    RawBackend(String reply) {
      server = vertx.createNetServer().connectHandler(socket -> accept(socket, reply));
      Await.result(server.listen(0, "127.0.0.1"));
    }

    private void accept(NetSocket socket, String reply) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      closed.add(done);
      StringBuilder pending = new StringBuilder();
      socket.closeHandler(v -> done.complete(null));
      socket.handler(buffer -> {
        synchronized (bytes) {
          bytes.writeBytes(buffer.getBytes());
        }
        pending.append(buffer.toString(StandardCharsets.ISO_8859_1));
        int end;
        while (reply != null && (end = pending.indexOf("\r\n\r\n")) >= 0) {
          pending.delete(0, end + 4);
          socket.write(Buffer.buffer(reply.getBytes(StandardCharsets.ISO_8859_1)));
        }
      });
    }

    int port() {
      return server.actualPort();
    }

    String received() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
      }
    }

    void awaitAllClosed() throws Exception {
      for (CompletableFuture<Void> c : closed) {
        c.get(30, TimeUnit.SECONDS);
      }
    }

    @Override
    public void close() {
      Await.result(server.close());
    }
  }

  /** A parsed HTTP/1.1 response read off a raw socket. */
  private record RawResponse(int status, List<Map.Entry<String, String>> headerList, byte[] body) {
    List<String> headers(String name) {
      return headerList.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    String header(String name) {
      List<String> all = headers(name);
      return all.isEmpty() ? null : all.get(0);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return new JsonObject(text());
    }
  }

  /** One client connection on a raw socket: writes exact bytes, reads whole responses. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    RawResponse read() throws IOException {
      String statusLine = line();
      if (statusLine == null) {
        fail("the connection closed before a response arrived");
      }
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      String line;
      while (!(line = line()).isEmpty()) {
        int colon = line.indexOf(':');
        headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
      }
      RawResponse head = new RawResponse(status, headers, new byte[0]);
      byte[] body;
      String te = head.header("Transfer-Encoding");
      String cl = head.header("Content-Length");
      if (status / 100 == 1 || status == 204 || status == 304) {
        body = new byte[0];
      } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
          int size = Integer.parseInt(line().split(";")[0].trim(), 16);
          if (size == 0) {
            while (!line().isEmpty()) {
              // trailers
            }
            break;
          }
          buf.writeBytes(in.readNBytes(size));
          line();
        }
        body = buf.toByteArray();
      } else if (cl != null) {
        body = in.readNBytes(Integer.parseInt(cl));
      } else {
        body = in.readAllBytes();
      }
      return new RawResponse(status, headers, body);
    }

    /** Whether the server closes the connection (EOF or reset) within the read timeout. */
    boolean closedByServer() throws IOException {
      try {
        return in.read() < 0;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true;
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          byte[] b = buf.toByteArray();
          int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
          return new String(b, 0, len, StandardCharsets.ISO_8859_1);
        }
        buf.write(c);
      }
      return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
