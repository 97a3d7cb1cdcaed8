package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.Await;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * {@code https://} upstream endpoints: TLS to the upstream with the certificate verified (by the
 * JVM's trust store, or {@code tls.trustFile} instead) and the host name checked unless
 * {@code tls.verifyHostname} is false. A certificate that fails verification is a failed attempt
 * like a refused connect: retried, counted by the breaker, 502 {@code upstream_unavailable}.
 */
@Timeout(120)
class HttpsUpstreamTest {

  @TempDir
  static Path dir;
  private static Path caFile;
  private static FakeBackend trusted;
  private static FakeBackend otherName;
  private static FakeBackend untrusted;
  private static GatewayClient client;

  @BeforeAll
  static void start() throws Exception {
    TestCertificates ca = TestCertificates.authority("Upstream Test CA");
    caFile = dir.resolve("ca.crt");
    TestCertificates.write(caFile, ca.authorityCertificate().certificate());
    trusted = https(ca.server("backend").writeTo(dir, "backend"), "trusted");
    otherName = https(ca.serverFor("backend", "elsewhere.test").writeTo(dir, "elsewhere"), "other-name");
    untrusted = https(TestCertificates.authority("Unknown CA").server("backend").writeTo(dir, "unknown"), "untrusted");
    client = GatewayClient.create(true);
  }

  private static FakeBackend https(TestCertificates.PemPair pem, String name) {
    return FakeBackend.start(new HttpServerOptions().setSsl(true).setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(pem.certFile().toString()).setKeyPath(pem.keyFile().toString())),
        req -> req.response().putHeader("Content-Type", "text/plain")
            .end(name + " over " + (req.isSSL() ? "tls" : "cleartext") + " saw " + req.uri()));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {client, trusted, otherName, untrusted}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** One https upstream named {@code backend} with {@code tls} (may be null), two attempts at most. */
  private static JsonObject config(FakeBackend backend, JsonObject tls) {
    JsonObject upstream = new JsonObject()
        .put("endpoints", new JsonArray().add("https://127.0.0.1:" + backend.port()))
        .put("retry", new JsonObject().put("maxAttempts", 2).put("baseDelayMs", 1).put("maxDelayMs", 2));
    if (tls != null) {
      upstream.put("tls", tls);
    }
    return new JsonObject()
        .put("upstreams", new JsonObject().put("backend", upstream))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "all")
            .put("match", new JsonObject().put("pathPrefix", "/")).put("upstream", "backend")));
  }

  @Test
  void upstreamTrustedThroughTrustFileAnswers200OverTls() {
    try (TestGateway gateway = TestGateway.start(config(trusted, new JsonObject().put("trustFile", caFile.toString())))) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/hello");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("trusted over tls saw /hello");
      assertThat(trusted.seen().get(trusted.seen().size() - 1).header("Host")).isEqualTo("127.0.0.1:" + trusted.port());
    }
  }

  @Test
  void untrustedCertificateIsAConnectFailureRetriedCountedAndAnswered502() {
    // No trustFile: the JVM's trust store, which does not know the test authority.
    try (TestGateway gateway = TestGateway.start(config(trusted, null))) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/secret");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
      assertThat(AdminProbe.counter(gateway.adminPort(), "portcullis_upstream_attempts_total",
          Map.of("upstream", "backend", "outcome", "connect-failure"))).isEqualTo(2.0);
      assertThat(AdminProbe.endpoint(gateway.adminPort(), "backend", 0).getInteger("recentFailures")).isEqualTo(2);
    }
    assertThat(trusted.seen()).extracting(FakeBackend.Seen::uri).doesNotContain("/secret");
  }

  @Test
  void certificateOfAnotherAuthorityIsRefusedEvenWithATrustFile() {
    try (TestGateway gateway = TestGateway.start(config(untrusted, new JsonObject().put("trustFile", caFile.toString())))) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/x");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
    }
    assertThat(untrusted.seen()).isEmpty();
  }

  @Test
  void hostnameMismatchIsRefusedWhenVerifyHostnameIsOn() {
    try (TestGateway gateway = TestGateway.start(config(otherName,
        new JsonObject().put("trustFile", caFile.toString()).put("verifyHostname", true)))) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/mismatch");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.errorCode()).isEqualTo("upstream_unavailable");
    }
    assertThat(otherName.seen()).extracting(FakeBackend.Seen::uri).doesNotContain("/mismatch");
  }

  @Test
  void hostnameMismatchIsAcceptedWhenVerifyHostnameIsOff() {
    try (TestGateway gateway = TestGateway.start(config(otherName,
        new JsonObject().put("trustFile", caFile.toString()).put("verifyHostname", false)))) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/lenient");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("other-name over tls saw /lenient");
    }
  }

  @Test
  void healthChecksOfHttpsEndpointsUseTlsWithTheUpstreamsTrust() throws Exception {
    JsonObject checked = new JsonObject().put("path", "/health").put("intervalMs", 500).put("timeoutMs", 450)
        .put("unhealthyThreshold", 1).put("healthyThreshold", 1);
    JsonObject trustedConfig = config(trusted, new JsonObject().put("trustFile", caFile.toString()));
    trustedConfig.getJsonObject("upstreams").getJsonObject("backend").put("healthCheck", checked);
    JsonObject untrustedConfig = config(untrusted, new JsonObject().put("trustFile", caFile.toString()));
    untrustedConfig.getJsonObject("upstreams").getJsonObject("backend").put("healthCheck", checked);
    try (TestGateway good = TestGateway.start(trustedConfig); TestGateway bad = TestGateway.start(untrustedConfig)) {
      awaitHealth(bad, "unhealthy");
      Await.until("a health probe reaches the trusted backend", 20_000,
          () -> trusted.seen().stream().anyMatch(seen -> seen.uri().equals("/health")));
      awaitHealth(good, "healthy");
    }
  }

  private static void awaitHealth(TestGateway gateway, String state) {
    Await.until("endpoint health " + state, 20_000,
        () -> state.equals(AdminProbe.endpoint(gateway.adminPort(), "backend", 0).getString("health")));
  }
}
