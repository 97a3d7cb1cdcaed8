package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.GatewayClient.Reply;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the rows of the upstream fault matrix (README "Errors", "How a request flows" and
 * "Endpoints") share: the one-route configuration they run, the attempt and retry counters they
 * read, and what they assert on the client's side. The rows themselves are grouped by kind of
 * fault: {@link UpstreamConnectFaultsTest}, {@link UpstreamTimeoutFaultsTest},
 * {@link UpstreamResetFaultsTest}, {@link MalformedUpstreamResponseTest},
 * {@link UpstreamErrorStatusFaultsTest} and {@link SlowClientFaultsTest}.
 */
final class FaultMatrix {

  /** The only upstream of {@link #config}. */
  static final String UPSTREAM = "backend";
  static final String ATTEMPTS = "portcullis_upstream_attempts_total";
  static final String RETRIES = "portcullis_retries_total";
  static final String DEADLINE_HEADER = "X-Request-Timeout-Ms";

  private FaultMatrix() {
  }

  /**
   * One route {@code "/"} with a {@code routeTimeoutMs} timeout to the upstream {@value #UPSTREAM}
   * on {@code ports}, its settings merged with {@code upstreamExtra} (JSON, or null).
   */
  static JsonObject config(String upstreamExtra, long routeTimeoutMs, int... ports) {
    JsonObject config = TestGateway.proxyConfig(upstreamExtra, ports);
    config.getJsonArray("routes").getJsonObject(0).put("timeoutMs", routeTimeoutMs);
    return config;
  }

  static Map<String, String> labels(String outcome) {
    return Map.of("upstream", UPSTREAM, "outcome", outcome);
  }

  /** Attempts with {@code outcome} so far; 0 when the counter does not exist (yet). */
  static double attempts(TestGateway gateway, String outcome) {
    return AdminProbe.counter(gateway.adminPort(), ATTEMPTS, labels(outcome));
  }

  /** Attempts with {@code outcome} so far; empty when the counter does not exist. */
  static OptionalDouble attemptsSample(TestGateway gateway, String outcome) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), ATTEMPTS, labels(outcome));
  }

  /** Retries so far; 0 when the counter does not exist (yet). */
  static double retries(TestGateway gateway) {
    return AdminProbe.counter(gateway.adminPort(), RETRIES, Map.of("upstream", UPSTREAM));
  }

  /** {@code portcullis_circuit_state} of the only endpoint (0 closed, 1 open, 2 half-open). */
  static double circuitGauge(TestGateway gateway) {
    return AdminProbe.sample(AdminProbe.metrics(gateway.adminPort()), "portcullis_circuit_state",
        Map.of("upstream", UPSTREAM)).orElseThrow();
  }

  /** The gateway's own JSON error: {@code status}, the error {@code code}, naming the upstream. */
  static void assertGatewayError(Reply reply, int status, String code) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    assertThat(reply.errorCode()).isEqualTo(code);
    assertThat(reply.json().getString("upstream")).isEqualTo(UPSTREAM);
  }

  /**
   * The raw reply ended (reset or closed) before a complete response: nothing at all, or a head
   * whose body is shorter than its Content-Length (or lacks the last chunk).
   */
  static void assertNeverComplete(RawHttp.Reply raw) {
    String text = raw.text();
    assertThat(RawConnection.responses(text)).as("complete responses in %s", text).isEmpty();
    if (text.isEmpty()) {
      return; // reset before any byte
    }
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return; // not even a whole head
    }
    String head = text.substring(0, headEnd).toLowerCase();
    String body = text.substring(headEnd + 4);
    Matcher m = Pattern.compile("content-length: *([0-9]+)").matcher(head);
    if (m.find()) {
      assertThat(body.length()).as("body bytes received").isLessThan(Integer.parseInt(m.group(1)));
    } else {
      assertThat(head).contains("transfer-encoding: chunked");
      assertThat(body).as("chunked body never terminated").doesNotEndWith("0\r\n\r\n");
    }
  }
}
