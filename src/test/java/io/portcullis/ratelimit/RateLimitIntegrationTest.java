package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-route rate limits end to end: a real gateway with two event-loop instances in front of a
 * real backend. The client opens a new connection per request, so requests alternate between the
 * gateway's event loops, which share each route's buckets.
 */
class RateLimitIntegrationTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.newConnectionPerRequest();

  /** The one backend of every route, shared by the tests of this class. */
  private static FakeBackend backend;

  private final GatewayClient client = harness.client();

  @BeforeAll
  static void startBackend() {
    backend = FakeBackend.ok("from backend");
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @AfterEach
  void forgetWhatTheBackendSaw() {
    backend.seen().clear();
  }

  private static JsonObject route(String name, String prefix, JsonObject rateLimit) {
    JsonObject route = new JsonObject().put("name", name)
        .put("match", new JsonObject().put("pathPrefix", prefix)).put("upstream", "backend");
    if (rateLimit != null) {
      route.put("rateLimit", rateLimit);
    }
    return route;
  }

  private static JsonObject limit(double requestsPerSecond, int burst, String key) {
    JsonObject limit = new JsonObject().put("requestsPerSecond", requestsPerSecond).put("burst", burst);
    return key == null ? limit : limit.put("key", key);
  }

  private TestGateway gateway(JsonObject... routes) {
    return gateway(false, routes);
  }

  private TestGateway gateway(boolean accessLog, JsonObject... routes) {
    JsonObject config = config(routes);
    if (accessLog) {
      config.put("accessLog", new JsonObject().put("enabled", true));
    }
    return harness.start(config);
  }

  private static JsonObject config(JsonObject... routes) {
    return new JsonObject()
        .put("upstreams", new JsonObject().put("backend",
            new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()))))
        .put("routes", new JsonArray(List.of((Object[]) routes)));
  }

  private static long backendSaw(String pathPrefix) {
    return backend.seen().stream().filter(s -> s.uri().startsWith(pathPrefix)).count();
  }

  private static OptionalDouble rateLimitedCount(TestGateway gateway, String route) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_rate_limited_total",
        Map.of("route", route));
  }

  @Test
  void theThirdRequestOfABurstOfTwoIsRefusedWith429RetryAfterAndTheJsonBodyWithoutReachingTheBackend()
      throws Exception {
    try (LogCapture accessLines = LogCapture.of("portcullis.access")) {
      TestGateway gateway = gateway(true, route("limited", "/limited", limit(1, 2, null)));
      assertThat(rateLimitedCount(gateway, "limited")).hasValue(0);

      Reply first = client.get(gateway.port(), "/limited/a");
      Reply second = client.get(gateway.port(), "/limited/b");
      Reply third = client.get(gateway.port(), "/limited/c", "X-Request-Id", "limited-3");

      assertThat(first.status()).as(first.toString()).isEqualTo(200);
      assertThat(second.status()).as(second.toString()).isEqualTo(200);
      assertThat(third.status()).as(third.toString()).isEqualTo(429);
      assertThat(third.header("Retry-After")).isEqualTo("1");
      assertThat(third.header("Content-Type")).isEqualTo("application/json");
      assertThat(third.header("X-Request-Id")).isEqualTo("limited-3");
      JsonObject body = third.json();
      assertThat(body.getString("error")).isEqualTo("rate_limited");
      assertThat(body.getString("requestId")).isEqualTo("limited-3");
      assertThat(body.getString("route")).isEqualTo("limited");
      assertThat(body.getString("message")).contains("limited");
      assertThat(backendSaw("/limited")).isEqualTo(2);
      assertThat(rateLimitedCount(gateway, "limited")).hasValue(1);

      JsonObject line = accessLines.awaitJsonLine("limited-3", 5_000);
      assertThat(line).as("access log line of the refused request").isNotNull();
      assertThat(line.getInteger("status")).isEqualTo(429);
      assertThat(line.getString("route")).isEqualTo("limited");
      assertThat(line.getInteger("attempts")).isZero();
    }
  }

  @Test
  void aHeaderKeyGivesEachClientItsOwnBucketAndRequestsWithoutItShareOne() {
    TestGateway gateway = gateway(route("keyed", "/keyed", limit(0.1, 1, "header:X-Api-Key")));

    assertThat(client.get(gateway.port(), "/keyed", "X-Api-Key", "alice").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/keyed", "X-Api-Key", "alice").status()).isEqualTo(429);
    assertThat(client.get(gateway.port(), "/keyed", "X-Api-Key", "bob").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/keyed", "X-Api-Key", "bob").status()).isEqualTo(429);
    assertThat(client.get(gateway.port(), "/keyed").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/keyed").status()).isEqualTo(429);
    assertThat(client.get(gateway.port(), "/keyed", "X-Api-Key", "carol").status()).isEqualTo(200);

    assertThat(backendSaw("/keyed")).isEqualTo(4);
    assertThat(rateLimitedCount(gateway, "keyed")).hasValue(3);
  }

  @Test
  void theClientAddressKeyIgnoresXForwardedFor() {
    TestGateway gateway = gateway(route("by-ip", "/ip", limit(0.1, 1, "ip")));

    assertThat(client.get(gateway.port(), "/ip", "X-Forwarded-For", "192.0.2.1").status()).isEqualTo(200);
    Reply spoofed = client.get(gateway.port(), "/ip", "X-Forwarded-For", "192.0.2.2");

    assertThat(spoofed.status()).isEqualTo(429);
    assertThat(spoofed.header("Retry-After")).isEqualTo("10");
    assertThat(backendSaw("/ip")).isEqualTo(1);
  }

  @Test
  void aRouteWithoutALimitIsUnaffectedByAnExhaustedOne() {
    TestGateway gateway = gateway(route("limited", "/limited", limit(0.1, 1, null)), route("open", "/open", null));
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(429);

    for (int i = 0; i < 20; i++) {
      assertThat(client.get(gateway.port(), "/open/" + i).status()).isEqualTo(200);
    }

    assertThat(backendSaw("/open")).isEqualTo(20);
    assertThat(rateLimitedCount(gateway, "open")).isEmpty();
  }

  @Test
  void adminRoutesShowsEachRouteLimitWithItsDefaults() {
    TestGateway gateway = gateway(route("public", "/", new JsonObject().put("requestsPerSecond", 2.5)));

    JsonObject route = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/routes"))
        .getJsonArray("routes").getJsonObject(0);

    assertThat(route.getJsonObject("rateLimit")).isEqualTo(new JsonObject()
        .put("requestsPerSecond", 2.5).put("burst", 3).put("key", "ip").put("scope", "instance"));
  }

  @Test
  void twoLimitedRoutesCountApart() {
    TestGateway gateway = gateway(route("one", "/one", limit(0.1, 1, null)), route("two", "/two", limit(0.1, 1, null)));

    assertThat(client.get(gateway.port(), "/one").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/one").status()).isEqualTo(429);
    assertThat(client.get(gateway.port(), "/two").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/two").status()).isEqualTo(429);
  }

  @Test
  void aRefusedClientIsAdmittedAgainOnceItsBucketRefills() throws InterruptedException {
    TestGateway gateway = gateway(route("slow", "/slow", limit(5, 1, null))); // one token per 200 ms

    long sent = System.nanoTime();
    assertThat(client.get(gateway.port(), "/slow").status()).isEqualTo(200);
    Reply refused = client.get(gateway.port(), "/slow");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.header("Retry-After")).isEqualTo("1");

    long deadline = System.nanoTime() + 10_000_000_000L;
    Reply again = refused;
    while (again.status() == 429 && System.nanoTime() < deadline) {
      Thread.sleep(25); // polling interval: the refill has no outside event to wait on
      again = client.get(gateway.port(), "/slow");
    }
    long admittedAfterMs = (System.nanoTime() - sent) / 1_000_000L;

    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(admittedAfterMs).isGreaterThanOrEqualTo(200);
    assertThat(backendSaw("/slow")).isEqualTo(2);
  }

  @Test
  void aReloadKeepsTheBucketsOfAnUnchangedLimitAndAChangedLimitStartsAfresh(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway.json");
    JsonObject limited = route("limited", "/limited", limit(0.1, 1, null));
    Files.writeString(file, TestGateway.withTestDefaults(config(limited, route("open", "/open", null))).encode(),
        StandardCharsets.UTF_8);
    TestGateway gateway = harness.startFromFile(file);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(429);

    // Another route changes; this one's limit does not: its client stays refused.
    Files.writeString(file, TestGateway.withTestDefaults(config(limited, route("open", "/open", null).put("timeoutMs", 2000),
        route("added", "/added", null))).encode(), StandardCharsets.UTF_8);
    assertThat(postReload(gateway.adminPort())).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/added").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(429);

    // Its limit changes: a fresh bucket with the new burst.
    Files.writeString(file, TestGateway.withTestDefaults(config(route("limited", "/limited", limit(0.1, 2, null)),
        route("open", "/open", null))).encode(), StandardCharsets.UTF_8);
    assertThat(postReload(gateway.adminPort())).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(429);
    assertThat(backendSaw("/limited")).isEqualTo(3);
    assertThat(rateLimitedCount(gateway, "limited")).hasValue(3);
  }

  private static int postReload(int adminPort) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/reload"))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }
}
