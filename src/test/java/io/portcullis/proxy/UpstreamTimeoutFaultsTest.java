package io.portcullis.proxy;

import static io.portcullis.proxy.FaultMatrix.ATTEMPTS;
import static io.portcullis.proxy.FaultMatrix.UPSTREAM;
import static io.portcullis.proxy.FaultMatrix.assertGatewayError;
import static io.portcullis.proxy.FaultMatrix.assertNeverComplete;
import static io.portcullis.proxy.FaultMatrix.attempts;
import static io.portcullis.proxy.FaultMatrix.config;
import static io.portcullis.proxy.FaultMatrix.labels;
import static io.portcullis.proxy.FaultMatrix.retries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, the deadline passes while the upstream is silent (README "Errors" and "How a
 * request flows"): connects that never complete, a body that stalls or trickles. The client's
 * answer comes at the deadline, not later: 504 {@code deadline_exceeded} while no response byte
 * went out, otherwise its connection ends short of a complete response; the upstream request is
 * cancelled.
 */
class UpstreamTimeoutFaultsTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @Test
  void aBlackHoledEndpointWithADeadlineShorterThanTheRetriesAnswers504AtTheDeadline() {
    int hole = harness.blackHolePort();
    TestGateway gateway = harness.start(config("{\"connectTimeoutMs\":200,\"retry\":{\"maxAttempts\":10}}",
        500L, hole));

    Reply reply = client.get(gateway.port(), "/hole");

    assertGatewayError(reply, 504, "deadline_exceeded");
    assertThat(reply.elapsedMs()).as("answered at the 500 ms deadline").isBetween(450L, 500L + 500L);
    // Every attempt either timed out connecting or was cut by the deadline mid-connect; the
    // last one is counted when its connect gives up, after the client has its answer.
    double connectFailures = attempts(gateway, "connect-failure");
    assertThat(connectFailures).as("connects that timed out before the deadline").isBetween(1.0, 3.0);
    AdminProbe.awaitCounter(gateway.adminPort(), ATTEMPTS, labels("cancelled"), 1.0, 2_000);
    assertThat(retries(gateway)).as("one retry per attempt after the first").isEqualTo(connectFailures);
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).as("below the default maxFailures of 5")
        .isEqualTo("closed");
  }

  static Stream<Arguments> bodiesPastTheDeadline() {
    return Stream.of(
        arguments("headers then a stalled body", FaultBackend.stalledBody(1_000)),
        arguments("a body trickling one byte per 20 ms", FaultBackend.trickle(1_000, 20)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodiesPastTheDeadline")
  void aBodyStillIncompleteAtTheDeadlineEndsTheClientConnectionAtTheDeadline(String story,
      FaultBackend.Behaviour behaviour) throws IOException {
    FaultBackend backend = harness.faultBackend(behaviour);
    TestGateway gateway = harness.start(config(null, 500L, backend.port()));

    long start = System.nanoTime();
    RawHttp.Reply raw = RawHttp.exchange(gateway.port(), "GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n", 5_000);
    long elapsed = (System.nanoTime() - start) / 1_000_000L;

    assertThat(raw.closed()).as("the gateway ended the connection (not our read timeout)").isTrue();
    assertThat(elapsed).as("client read ended at the 500 ms deadline").isBetween(450L, 500L + 500L);
    if (raw.status() == 504) {
      assertThat(raw.text()).contains("\"deadline_exceeded\"");
    } else {
      assertNeverComplete(raw); // reset: the client never sees a complete 200
    }
    Await.result(backend.connections().get(0).closed(), 2_000);
  }
}
