package io.portcullis.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Closeables;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's files and JSON on a real gateway's admin port: the page and its two assets,
 * JSON 404s for every path that does not exist, and exact counters in {@code /admin/stats}.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardEndpointsTest {

  @RegisterExtension
  final Closer toClose = new Closer();

  /** The gateway of the tests that only read files (started once for them). */
  private FakeBackend sharedBackend;
  private TestGateway shared;

  @BeforeAll
  void startShared() {
    sharedBackend = FakeBackend.ok("ok");
    shared = TestGateway.start(TestGateway.proxyConfig(null, sharedBackend.port()));
  }

  @AfterAll
  void stopShared() {
    Closeables.closeAll(shared, sharedBackend);
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HttpResponse<String> send(String method, String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private TestGateway gateway(FakeBackend backend, String upstreamExtra) {
    return toClose.add(TestGateway.start(TestGateway.proxyConfig(upstreamExtra, backend.port())));
  }

  private static String admin(TestGateway gateway, String path) {
    return "http://127.0.0.1:" + gateway.adminPort() + path;
  }

  @Test
  void theRootServesThePageWithAPolicyThatAllowsOnlyItsOwnFiles() throws Exception {
    TestGateway gateway = shared;

    HttpResponse<String> page = send("GET", admin(gateway, "/"));

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(Dashboard.CONTENT_SECURITY_POLICY);
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.body()).contains("<script src=\"/dashboard/dashboard.js\" defer></script>")
        .contains("href=\"/dashboard/dashboard.css\"").doesNotContain("http://").doesNotContain("https://");
  }

  @Test
  void theScriptAndTheStyleSheetAreServedFromTheJar() throws Exception {
    TestGateway gateway = shared;

    HttpResponse<String> script = send("GET", admin(gateway, "/dashboard/dashboard.js"));
    HttpResponse<String> style = send("GET", admin(gateway, "/dashboard/dashboard.css"));

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("/admin/stats").doesNotContain("innerHTML");
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/dashboard/nope.js", "/dashboard/", "/dashboard/index.html", "/dashboard/../etc/passwd",
      "/index.html", "/favicon.ico", "/admin/nothing"})
  void aPathThatDoesNotExistIsA404WithAJsonBody(String path) throws Exception {
    TestGateway gateway = shared;

    HttpResponse<String> reply = send("GET", admin(gateway, path));

    assertThat(reply.statusCode()).isEqualTo(404);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject body = new JsonObject(reply.body());
    assertThat(body.getString("error")).isEqualTo("not_found");
    assertThat(body.getString("message")).startsWith("no such admin path: /");
  }

  @Test
  void aKnownPathWithAnotherMethodIsStillA405() throws Exception {
    TestGateway gateway = shared;

    assertThat(send("POST", admin(gateway, "/admin/stats")).statusCode()).isEqualTo(405);
  }

  @Test
  void statsCountAttemptsRetriesAndErrorsExactly() throws Exception {
    FakeBackend backend = toClose.add(FakeBackend.start(req ->
        req.response().setStatusCode(req.path().startsWith("/fail") ? 503 : 200).end("x")));
    TestGateway gateway = gateway(backend, "{\"retry\":{\"maxAttempts\":2,\"baseDelayMs\":1,\"maxDelayMs\":1},"
        + "\"circuitBreaker\":{\"maxFailures\":100}}");
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", gateway.url("/ok/" + i)).statusCode()).isEqualTo(200);
    }
    assertThat(send("GET", gateway.url("/fail")).statusCode()).isEqualTo(503);
    // A request is counted as its response ends, just after its last bytes are written: on a busy
    // machine the client can read them before that.
    Await.until("the fourth request counted", 5_000, () -> new JsonObject(AdminProbe.get(gateway.adminPort(),
        "/admin/stats")).getJsonObject("routes").getJsonObject("all").getLong("requests") == 4L);

    JsonObject stats = new JsonObject(AdminProbe.get(gateway.adminPort(), "/admin/stats"));

    assertThat(stats.getJsonObject("upstreams").getJsonObject("backend")).isEqualTo(new JsonObject()
        .put("requests", 5L).put("errors", 2L).put("retries", 1L).put("shed", 0L));
    assertThat(stats.getJsonObject("routes").getJsonObject("all")).isEqualTo(new JsonObject()
        .put("requests", 4L).put("errors", 1L));
    assertThat(stats.getLong("uptimeMs")).isNotNegative();
    assertThat(stats.getLong("requestsInFlight")).isZero();
  }
}
