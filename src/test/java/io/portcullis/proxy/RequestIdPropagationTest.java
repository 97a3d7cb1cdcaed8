package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code X-Request-Id} end to end (README "How a request flows" and "Errors"): a valid incoming
 * id is kept, an invalid or missing one replaced by a UUID; the same id goes upstream and comes
 * back, on proxied answers and on the gateway's own 404 and 502 alike.
 */
@Timeout(90)
class RequestIdPropagationTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void aValidIncomingRequestIdIsSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());
    String id = "Req-" + "x".repeat(124);

    HttpResponse<String> response = JdkClient.get(gateway, "/id", "X-Request-Id", id);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(backend.seen().get(0).headers().getAll("X-Request-Id")).containsExactly(id);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(id);
  }

  @Test
  void anInvalidIncomingRequestIdIsReplacedByOneUuidSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());
    String tooLong = "y".repeat(200);

    HttpResponse<String> response = JdkClient.get(gateway, "/id", "X-Request-Id", tooLong);

    String upstreamId = backend.seen().get(0).header("X-Request-Id");
    assertThat(upstreamId).isNotEqualTo(tooLong);
    assertThat(UUID.fromString(upstreamId).toString()).isEqualTo(upstreamId);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(upstreamId);
  }

  @Test
  void aRequestWithoutAnIdGetsAUuidSentUpstreamAndReturned() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    HttpResponse<String> response = JdkClient.get(gateway, "/id");

    String upstreamId = backend.seen().get(0).header("X-Request-Id");
    assertThat(UUID.fromString(upstreamId).toString()).isEqualTo(upstreamId);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly(upstreamId);
  }

  @Test
  void theRequestIdIsReturnedOnA404() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("match", new JsonObject().put("pathPrefix", "/api"));
    TestGateway gateway = harness.start(config);

    HttpResponse<String> kept = JdkClient.get(gateway, "/elsewhere", "X-Request-Id", "id-for-404");
    HttpResponse<String> replaced = JdkClient.get(gateway, "/elsewhere", "X-Request-Id", "bad id");

    assertThat(kept.statusCode()).isEqualTo(404);
    assertThat(kept.headers().allValues("X-Request-Id")).containsExactly("id-for-404");
    assertThat(new JsonObject(kept.body()).getString("requestId")).isEqualTo("id-for-404");
    assertThat(replaced.statusCode()).isEqualTo(404);
    String generated = replaced.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(UUID.fromString(generated).toString()).isEqualTo(generated);
    assertThat(new JsonObject(replaced.body()).getString("requestId")).isEqualTo(generated);
    assertThat(backend.requests()).isZero();
  }

  @Test
  void theClientsRequestIdIsReturnedOnA502() throws Exception {
    TestGateway gateway = harness.proxyTo(harness.refusedPort());

    HttpResponse<String> response = JdkClient.get(gateway, "/nobody-home", "X-Request-Id", "id-for-502");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().allValues("X-Request-Id")).containsExactly("id-for-502");
    assertThat(new JsonObject(response.body()).getString("requestId")).isEqualTo("id-for-502");
  }

  private static JsonObject firstRoute(JsonObject config) {
    return config.getJsonArray("routes").getJsonObject(0);
  }
}
