package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the client gets for what the upstream answers, end to end over real sockets (README
 * "Errors" and "How a request flows"): the upstream's status, headers and body passed through
 * unchanged (its request id replaced by the gateway's), a 500 to a POST passed through and not
 * retried, and the gateway's own 502 naming route and upstream when no upstream answers at all.
 */
@Timeout(90)
class UpstreamAnswersTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void theUpstreamStatusHeadersAndBodyArePassedThroughUnchanged() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response()
        .setStatusCode(418).setStatusMessage("I'm a teapot")
        .putHeader("Content-Type", "text/x-teapot; charset=utf-8")
        .putHeader("X-Custom", "short and stout")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("Set-Cookie", List.<String>of("a=1; Path=/", "b=2; HttpOnly"))
        .putHeader("X-Request-Id", "the-backends-own-id")
        .end("here is my handle, here is my spout"));
    TestGateway gateway = harness.proxyTo(backend.port());

    HttpResponse<String> response = JdkClient.get(gateway, "/tea", "X-Request-Id", "client-id-418");

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
    FakeBackend backend = harness.backend(req -> req.response().setStatusCode(500)
        .putHeader("Content-Type", "application/problem+json")
        .end("{\"title\":\"backend exploded\"}"));
    TestGateway gateway = harness.proxyTo(backend.port());

    HttpResponse<String> response = JdkClient.send(HttpRequest.newBuilder(URI.create(gateway.url("/boom")))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("x")).build());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(response.body()).isEqualTo("{\"title\":\"backend exploded\"}");
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void aRefusedUpstreamConnectionGets502UpstreamUnavailableNamingRouteAndUpstream() throws Exception {
    TestGateway gateway = harness.proxyTo(harness.refusedPort());

    HttpResponse<String> response = JdkClient.get(gateway, "/nobody-home");

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
}
