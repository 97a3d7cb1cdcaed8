package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The headers the gateway sets for the upstream (README "How a request flows"): the
 * {@code X-Forwarded-*} family, {@code Host}, {@code X-Attempt-Count} and the deadline header,
 * replacing whatever the client sent under those names.
 */
@Timeout(90)
class ForwardingHeadersTest {

  private static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  @Test
  void forwardingHeadersHostAttemptCountAndDeadlineAreSetForTheUpstream() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("timeoutMs", 4000);
    TestGateway gateway = harness.start(config);

    HttpResponse<String> response = JdkClient.get(gateway, "/fwd", "X-Forwarded-For", "1.2.3.4");

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
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    JdkClient.get(gateway, "/fwd");

    assertThat(backend.seen().get(0).headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
  }

  @Test
  void anEmptyIncomingXForwardedForIsReplacedByTheClientAddressAlone() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    TestGateway gateway = harness.proxyTo(backend.port());

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET /fwd HTTP/1.1\r\nHost: gw\r\nX-Forwarded-For:   \r\nConnection: close\r\n\r\n", 5_000);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(backend.seen().get(0).headers().getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
  }

  @Test
  void clientSuppliedForwardingAndAttemptHeadersAreReplacedAndXForwardedHostIsTheClientsHost() throws Exception {
    FakeBackend backend = harness.backend(req -> req.response().end("ok"));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    firstRoute(config).put("timeoutMs", 4000);
    TestGateway gateway = harness.start(config);

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

    assertThat(response.status()).isEqualTo(200);
    FakeBackend.Seen seen = backend.seen().get(0);
    assertThat(seen.headers().getAll("Host")).containsExactly("127.0.0.1:" + backend.port());
    assertThat(seen.headers().getAll("X-Forwarded-Host")).containsExactly("shop.example.com:8443");
    assertThat(seen.headers().getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(seen.headers().getAll("X-Attempt-Count")).containsExactly("1");
    assertThat(seen.headers().getAll(DEADLINE_HEADER)).hasSize(1);
    assertThat(Long.parseLong(seen.header(DEADLINE_HEADER))).isPositive().isLessThanOrEqualTo(2500);
  }

  private static JsonObject firstRoute(JsonObject config) {
    return config.getJsonArray("routes").getJsonObject(0);
  }
}
