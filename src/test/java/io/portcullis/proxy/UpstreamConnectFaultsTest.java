package io.portcullis.proxy;

import static io.portcullis.proxy.FaultMatrix.UPSTREAM;
import static io.portcullis.proxy.FaultMatrix.assertGatewayError;
import static io.portcullis.proxy.FaultMatrix.attempts;
import static io.portcullis.proxy.FaultMatrix.attemptsSample;
import static io.portcullis.proxy.FaultMatrix.config;
import static io.portcullis.proxy.FaultMatrix.retries;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpMethod;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, connect failures (README "Errors" and "How a request flows"): the endpoint refuses
 * the connection or never answers the SYN. Nothing was sent, so every method is retried up to
 * {@code maxAttempts}, a retry may land on another endpoint, and when every attempt fails the
 * client gets 502 {@code upstream_unavailable}; connect failures count towards the breaker.
 */
class UpstreamConnectFaultsTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void connectRefusedIsRetriedUpToMaxAttemptsForAnyMethodThenAnswers502(HttpMethod method) {
    int refused = harness.refusedPort();
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":3}}", 3_000L, refused));

    Reply reply = client.request(method, gateway.port(), "/refused", method == HttpMethod.POST ? "{}" : null);

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(attemptsSample(gateway, "connect-failure")).as("connect attempts")
        .hasValue(3.0);
  }

  static Stream<HttpMethod> methods() {
    return Stream.of(HttpMethod.GET, HttpMethod.POST);
  }

  @Test
  void aRetryAfterConnectRefusedGoesToTheOtherEndpointAndSucceeds() {
    int refused = harness.refusedPort();
    FakeBackend healthy = harness.okBackend("from the healthy one");
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":2}}", 3_000L, refused, healthy.port()));

    for (int i = 0; i < 4; i++) {
      Reply reply = client.get(gateway.port(), "/two/" + i);
      assertThat(reply.status()).as("request %d: %s", i, reply).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("from the healthy one");
    }
    assertThat(attemptsSample(gateway, "connect-failure")).as("attempts on the refusing endpoint").isPresent();
    assertThat(healthy.seen()).as("retries that landed on the healthy endpoint")
        .anySatisfy(s -> assertThat(s.header("X-Attempt-Count")).isEqualTo("2"));
  }

  @Test
  void aBlackHoledEndpointTimesOutEachConnectIsRetriedThenAnswers502AndOpensTheBreaker() {
    int hole = harness.blackHolePort();
    TestGateway gateway = harness.start(config("{\"connectTimeoutMs\":200,\"retry\":{\"maxAttempts\":3},"
        + "\"circuitBreaker\":{\"maxFailures\":3,\"resetTimeoutMs\":60000}}", 5_000L, hole));

    Reply reply = client.get(gateway.port(), "/hole");

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(reply.elapsedMs()).as("three connects of 200 ms each, not the 5 s deadline")
        .isBetween(3 * 200L - 50L, 4_000L);
    assertThat(attempts(gateway, "connect-failure")).as("connect attempts").isEqualTo(3.0);
    assertThat(retries(gateway)).as("retries").isEqualTo(2.0);
    // Three connect failures reach maxFailures: the endpoint is taken out.
    AdminProbe.awaitCircuit(gateway.adminPort(), UPSTREAM, 0, "open", 2_000);

    Reply next = client.get(gateway.port(), "/hole/again");
    assertGatewayError(next, 503, "circuit_open");
    assertThat(next.header("Retry-After")).as("seconds until half-open").isNotNull();
    assertThat(next.elapsedMs()).as("no network touched").isLessThan(150L);
    assertThat(attempts(gateway, "connect-failure")).as("no new connect").isEqualTo(3.0);
    assertThat(attempts(gateway, "circuit-open")).isEqualTo(1.0);
  }
}
