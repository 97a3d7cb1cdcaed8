package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's meters as Prometheus reads them from {@code /metrics} of a real gateway in front of
 * real backends (README "Endpoints"): requests by method, the upstream time-to-head histogram per
 * attempt, open connections on both sides, build information, and the naming conventions.
 */
@Timeout(120)
class MetricsIntegrationTest {

  private static final long WAIT_MS = 10_000;

  @RegisterExtension
  final Closer toClose = new Closer();

  private <T extends AutoCloseable> T closeLater(T resource) {
    return toClose.add(resource);
  }

  private static String metrics(TestGateway gateway) {
    return AdminProbe.metrics(gateway.adminPort());
  }

  private static double sample(TestGateway gateway, String name, Map<String, String> labels) {
    return AdminProbe.sample(metrics(gateway), name, labels).orElseThrow(
        () -> new AssertionError("no sample " + name + labels));
  }

  /** The sample lines of {@code name} whose labels include {@code label}. */
  private static List<String> lines(String text, String name, String label) {
    return text.lines().filter(l -> l.startsWith(name + "{") && l.contains(label)).toList();
  }

  @Test
  void requestsAreCountedByMethodAndEveryOtherMethodIsOther() throws Exception {
    FakeBackend backend = closeLater(FakeBackend.ok("hi"));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));

    for (String method : List.of("GET", "POST", "PATCH", "FOO", "get", "GET")) {
      RawHttp.Reply reply = RawHttp.exchange(gateway.port(), method + " /x HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\n"
          + "Connection: close\r\n\r\n", 5_000);
      assertThat(reply.status()).as(method).isEqualTo(200);
    }

    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_requests_total",
        Map.of("route", "all", "method", "_OTHER", "status", "200"), 2, WAIT_MS);
    String text = metrics(gateway);
    assertThat(AdminProbe.sample(text, "portcullis_requests_total", Map.of("route", "all", "method", "GET", "status", "200")))
        .hasValue(2.0);
    assertThat(AdminProbe.sample(text, "portcullis_requests_total", Map.of("route", "all", "method", "POST", "status", "200")))
        .hasValue(1.0);
    assertThat(AdminProbe.sample(text, "portcullis_requests_total", Map.of("route", "all", "method", "PATCH", "status", "200")))
        .hasValue(1.0);
    assertThat(text).doesNotContain("method=\"FOO\"").doesNotContain("method=\"get\"");
  }

  @Test
  void upstreamTimeToHeadIsAHistogramOfEveryAttemptInFewBuckets() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FakeBackend backend = closeLater(FakeBackend.start(request -> {
      // The first attempt is refused with a retryable 503, the retry answers; each after 150 ms.
      int call = calls.incrementAndGet();
      request.response().setStatusCode(call == 1 ? 503 : 200);
      Vertx.currentContext().owner().setTimer(150, id -> request.response().end("done"));
    }));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(
        "{\"retry\":{\"maxAttempts\":2,\"baseDelayMs\":1,\"maxDelayMs\":1,\"retryOn\":[\"503\"]}}", backend.port())));

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), "GET /slow HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 10_000);
    assertThat(reply.status()).isEqualTo(200);

    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_upstream_request_duration_seconds_count",
        Map.of("upstream", "backend"), 2, WAIT_MS);
    String text = metrics(gateway);
    Map<String, String> backendLabel = Map.of("upstream", "backend");
    assertThat(lines(text, "portcullis_upstream_request_duration_seconds_bucket", "upstream=\"backend\"")).hasSize(16);
    assertThat(AdminProbe.sample(text, "portcullis_upstream_request_duration_seconds_bucket",
        Map.of("upstream", "backend", "le", "0.1"))).hasValue(0.0);
    assertThat(AdminProbe.sample(text, "portcullis_upstream_request_duration_seconds_bucket",
        Map.of("upstream", "backend", "le", "+Inf"))).hasValue(2.0);
    assertThat(AdminProbe.sample(text, "portcullis_upstream_request_duration_seconds_sum", backendLabel).orElseThrow())
        .isGreaterThanOrEqualTo(0.3);
    assertThat(lines(text, "portcullis_request_duration_seconds_bucket", "route=\"all\"")).hasSize(16);
  }

  @Test
  void clientConnectionsAndUpstreamConnectionsAreCountedWhileOpen() throws Exception {
    Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    FakeBackend backend = closeLater(FakeBackend.start(held::add));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));
    assertThat(sample(gateway, "portcullis_downstream_connections", Map.of())).isZero();

    List<RawConnection> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RawConnection connection = closeLater(RawConnection.open(gateway.port()));
      connection.send("GET /held/" + i + " HTTP/1.1\r\nHost: gw\r\n\r\n");
      clients.add(connection);
    }
    awaitSize(held, 3);

    // Three requests in flight at once need three upstream connections.
    assertThat(sample(gateway, "portcullis_downstream_connections", Map.of())).isEqualTo(3.0);
    assertThat(sample(gateway, "portcullis_upstream_connections", Map.of("upstream", "backend"))).isEqualTo(3.0);
    held.forEach(request -> request.response().end("released"));
    for (RawConnection client : clients) {
      assertThat(client.awaitResponses(1, WAIT_MS).get(0)).startsWith("HTTP/1.1 200");
      client.close();
    }
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_downstream_connections", Map.of(), 0, WAIT_MS);
    // Pooled for keep-alive until the backend goes away.
    assertThat(sample(gateway, "portcullis_upstream_connections", Map.of("upstream", "backend"))).isEqualTo(3.0);
    backend.close();
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_upstream_connections", Map.of("upstream", "backend"), 0,
        WAIT_MS);
  }

  @Test
  void aConnectionThatTurnsToHttp2ByPriorKnowledgeIsCountedOnce() throws Exception {
    FakeBackend backend = closeLater(FakeBackend.ok("hi"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port()).put("server", new JsonObject().put("h2c", true));
    TestGateway gateway = closeLater(TestGateway.start(config));
    Vertx vertx = Vertx.vertx();
    closeLater(() -> Await.result(vertx.close()));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));

    int status = Await.onContext(vertx, () -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(gateway.port()).setURI("/h2"))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.version() == HttpVersion.HTTP_2 ? response.statusCode() : -1)));

    assertThat(status).isEqualTo(200);
    assertThat(sample(gateway, "portcullis_downstream_connections", Map.of())).isEqualTo(1.0);
    Await.result(client.close());
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_downstream_connections", Map.of(), 0, WAIT_MS);
  }

  @Test
  void buildInfoNamesTheVersionAndTheJavaRuntime() {
    FakeBackend backend = closeLater(FakeBackend.ok("hi"));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));

    assertThat(sample(gateway, "portcullis_build_info",
        Map.of("version", BuildInfo.version(), "java_version", System.getProperty("java.version")))).isEqualTo(1.0);
    assertThat(BuildInfo.version()).isNotEqualTo("unknown");
  }

  @Test
  void everyGatewayMeterFollowsThePrometheusNamingConventions() throws Exception {
    FakeBackend backend = closeLater(FakeBackend.ok("hi"));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));
    RawHttp.exchange(gateway.port(), "GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 5_000);
    AdminProbe.awaitCounter(gateway.adminPort(), "portcullis_upstream_request_duration_seconds_count",
        Map.of("upstream", "backend"), 1, WAIT_MS);

    Matcher type = Pattern.compile("^# TYPE (portcullis_\\w+) (\\w+)$", Pattern.MULTILINE).matcher(metrics(gateway));
    List<String> families = new ArrayList<>();
    while (type.find()) {
      String name = type.group(1);
      String kind = type.group(2);
      families.add(name);
      assertThat(name).as("lower snake case").matches("[a-z][a-z0-9_]*");
      switch (kind) {
        case "counter" -> assertThat(name).as("counter").endsWith("_total");
        case "histogram" -> assertThat(name).as("histogram of a duration in base units").endsWith("_seconds");
        case "gauge" -> assertThat(name).as("gauge").doesNotEndWith("_total").doesNotEndWith("_count");
        default -> throw new AssertionError(name + " has unexpected type " + kind);
      }
    }
    assertThat(families).contains("portcullis_requests_total", "portcullis_request_duration_seconds",
        "portcullis_upstream_request_duration_seconds", "portcullis_upstream_attempts_total",
        "portcullis_downstream_connections", "portcullis_upstream_connections", "portcullis_build_info",
        "portcullis_requests_in_flight", "portcullis_config_reloads_total");
  }

  @Test
  void retriesTotalOfEveryUpstreamIsExposedFromZeroBeforeTheFirstRetry() throws Exception {
    FakeBackend backend = closeLater(FakeBackend.ok("hi"));
    TestGateway gateway = closeLater(TestGateway.start(TestGateway.proxyConfig(null, backend.port())));

    assertThat(sample(gateway, "portcullis_retries_total", Map.of("upstream", "backend"))).isEqualTo(0.0);
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), "GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 5_000);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(sample(gateway, "portcullis_retries_total", Map.of("upstream", "backend"))).isEqualTo(0.0);
  }

  private static void awaitSize(Queue<?> queue, int size) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (queue.size() < size) {
      if (System.nanoTime() > end) {
        throw new AssertionError("only " + queue.size() + " of " + size + " requests arrived");
      }
      LockSupport.parkNanos(5_000_000L);
    }
  }
}
