package io.portcullis.proxy;

import static io.portcullis.proxy.FaultMatrix.UPSTREAM;
import static io.portcullis.proxy.FaultMatrix.assertGatewayError;
import static io.portcullis.proxy.FaultMatrix.attempts;
import static io.portcullis.proxy.FaultMatrix.config;
import static io.portcullis.proxy.FaultMatrix.retries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.FaultBackend;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.GatewayExtension;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestGateway;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault matrix, a response head the gateway cannot trust (README "Errors", RFC 9112 §4 and §6.3):
 * a garbled status line or a length that cannot be known is a 502 judged at once, never
 * forwarded; a head with both Content-Length and chunked is re-framed so the client's connection
 * cannot desynchronise.
 */
class MalformedUpstreamResponseTest {

  @RegisterExtension
  static final GatewayExtension harness = GatewayExtension.keepAlive();

  private final GatewayClient client = harness.client();

  @Test
  void aMalformedStatusLineIs502AndNeverForwarded() {
    FaultBackend backend = harness.faultBackend(FaultBackend.writeRaw("HTTP/1.1 abc\r\n\r\n"));
    TestGateway gateway = harness.start(config(null, 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/garbage");

    assertGatewayError(reply, 502, "upstream_unavailable"); // the gateway's own JSON, not the garbage
    assertThat(reply.elapsedMs()).as("judged at once, not at the deadline").isLessThan(2_000L);
  }

  /**
   * Both {@code Content-Length} and {@code Transfer-Encoding: chunked} (RFC 9112 §6.3: chunked
   * wins, and a proxy must remove Content-Length). Netty's response decoder drops the
   * Content-Length; the gateway then re-frames the body itself (chunked towards the client), so
   * the message cannot desynchronise the client: the lying length never reaches it. The
   * assertion is on the wire: one well-framed response, then a second exchange on the same
   * client connection that parses cleanly.
   */
  @Test
  void anUpstreamResponseWithContentLengthAndChunkedIsReframedNeverForwardedAsIs() throws IOException {
    FaultBackend backend = harness.faultBackend(FaultBackend.writeRaw(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n"));
    TestGateway gateway = harness.start(config(null, 3_000L, backend.port()));

    try (RawConnection conn = RawConnection.open(gateway.port())) {
      conn.send("GET /both/1 HTTP/1.1\r\nHost: gw\r\n\r\n");
      String first = conn.awaitResponses(1, 5_000).get(0);
      conn.send("GET /both/2 HTTP/1.1\r\nHost: gw\r\n\r\n");
      List<String> both = conn.awaitResponses(2, 5_000);

      for (String response : both) {
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).startsWith("http/1.1 200");
        boolean hasLength = head.contains("\r\ncontent-length:");
        boolean chunked = head.contains("\r\ntransfer-encoding: chunked");
        assertThat(hasLength && chunked).as("never both framings: %s", head).isFalse();
        assertThat(head).as("never the upstream's lying length").doesNotContain("content-length: 3");
        assertThat(RawConnection.body(response)).as("the whole chunked body").isEqualTo("hello");
      }
      assertThat(both.get(0)).isEqualTo(first);
      assertThat(conn.text()).as("nothing after the two responses (no desync)")
          .isEqualTo(both.get(0) + both.get(1));
    }
    assertThat(backend.requestCount()).isEqualTo(2);
    assertThat(attempts(gateway, "200")).isEqualTo(2.0);
    assertThat(retries(gateway)).isZero();
    assertThat(AdminProbe.circuit(gateway.adminPort(), UPSTREAM, 0)).isEqualTo("closed");
  }

  static Stream<Arguments> unframeableResponses() {
    return Stream.of(
        arguments("two different Content-Length values",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"),
        arguments("a non-numeric Content-Length",
            "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unframeableResponses")
  void anUpstreamResponseWhoseLengthCannotBeKnownIs502AndNeverForwarded(String story, String raw) {
    FaultBackend backend = harness.faultBackend(FaultBackend.writeRaw(raw));
    TestGateway gateway = harness.start(config("{\"retry\":{\"maxAttempts\":1}}", 3_000L, backend.port()));

    Reply reply = client.get(gateway.port(), "/framing");

    assertGatewayError(reply, 502, "upstream_unavailable");
    assertThat(reply.body()).doesNotContain("hello");
    assertThat(reply.elapsedMs()).as("judged at once").isLessThan(2_000L);
    assertThat(backend.requestCount()).isEqualTo(1);
    assertThat(attempts(gateway, "reset")).as("a head that cannot be decoded is a reset").isEqualTo(1.0);
    assertThat(AdminProbe.endpoint(gateway.adminPort(), UPSTREAM, 0).getString("circuit")).isEqualTo("closed");
  }
}
