package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closeables;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RawConnection;
import io.portcullis.testkit.TestCertificates;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate renewal on a running gateway (README "server.tls and HTTP/2"): the listener of every
 * event-loop instance takes the new certificate for new connections, connections already open keep
 * the TLS session of the old one and go on working, and a pair that cannot be served changes
 * nothing. The certificate a client was shown is read from its own TLS session.
 */
@Timeout(120)
class CertificateReloadTest {

  private static final long APPLY_WAIT_MS = 15_000;

  private static TestCertificates ca;
  private static SSLContext client;
  private static FakeBackend backend;

  @TempDir
  Path dir;

  private TestGateway gateway;
  private LogCapture log;

  @BeforeAll
  static void startBackend() {
    ca = TestCertificates.authority("Renewal Test CA");
    client = TlsRaw.trusting(ca.authorityCertificate().certificate());
    backend = FakeBackend.ok("hello");
  }

  @AfterAll
  static void stopBackend() {
    Closeables.closeAll(backend);
  }

  @BeforeEach
  void capture() {
    log = LogCapture.of("portcullis.tls");
  }

  @AfterEach
  void stop() {
    log.close();
    Closeables.closeAll(gateway);
  }

  private JsonObject config(Path certFile, Path keyFile, JsonObject reload) {
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    config.put("server", new JsonObject().put("instances", 2)
        .put("tls", new JsonObject().put("certFile", certFile.toString()).put("keyFile", keyFile.toString())));
    config.put("reload", reload);
    return config;
  }

  /** Replaces a file in one step, as certbot and cert-manager do: a new file renamed over the old. */
  private void replace(Path file, Object pem) throws IOException {
    Path staged = file.resolveSibling(file.getFileName() + ".staged");
    TestCertificates.write(staged, pem);
    Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void install(TestCertificates.PemPair files, TestCertificates.Issued issued) throws IOException {
    replace(files.certFile(), issued.certificate());
    replace(files.keyFile(), issued.keys().getPrivate());
  }

  /** The serial of the certificate a new connection is shown; the connection also carries a request. */
  private BigInteger serialOfANewConnection() throws IOException {
    try (SSLSocket socket = TlsRaw.connect(client, gateway.port(), "http/1.1");
         RawConnection connection = RawConnection.over(socket)) {
      connection.send("GET /new HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(connection.awaitResponses(1, 10_000).get(0)).startsWith("HTTP/1.1 200");
      return serial(socket);
    }
  }

  private static BigInteger serial(SSLSocket socket) throws IOException {
    return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
  }

  private void awaitApplied() throws InterruptedException {
    assertThat(log.awaitMessage("applied on 2 listener(s)", APPLY_WAIT_MS))
        .as("the new certificate applied within %d ms", APPLY_WAIT_MS).isNotNull();
  }

  private List<String> errors() {
    return log.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(e -> e.getFormattedMessage()).toList();
  }

  @Test
  void aRenewedPairReachesNewConnectionsOnEveryInstanceWhileAnOpenConnectionKeepsItsSession() throws Exception {
    TestCertificates.Issued first = ca.server("first");
    TestCertificates.PemPair files = first.writeTo(dir, "tls");
    gateway = TestGateway.start(config(files.certFile(), files.keyFile(), new JsonObject().put("pollMs", 100)));

    try (SSLSocket socket = TlsRaw.connect(client, gateway.port(), "http/1.1");
         RawConnection before = RawConnection.over(socket)) {
      before.send("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(before.awaitResponses(1, 10_000).get(0)).startsWith("HTTP/1.1 200");
      assertThat(serial(socket)).isEqualTo(first.serial());

      TestCertificates.Issued second = ca.server("second");
      install(files, second);
      awaitApplied();

      // New connections go round-robin to the two instances: each one shows the new certificate.
      for (int i = 0; i < 6; i++) {
        assertThat(serialOfANewConnection()).as("new connection %d", i).isEqualTo(second.serial());
      }
      try (SSLSocket h2 = TlsRaw.connect(client, gateway.port(), "h2", "http/1.1")) {
        assertThat(h2.getApplicationProtocol()).as("ALPN after the swap").isEqualTo("h2");
        assertThat(serial(h2)).isEqualTo(second.serial());
      }
      before.send("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(before.awaitResponses(2, 10_000).get(1)).startsWith("HTTP/1.1 200");
      assertThat(before.closed()).isFalse();
      assertThat(serial(socket)).isEqualTo(first.serial());
    }
    assertThat(errors()).isEmpty();
    String metrics = AdminProbe.metrics(gateway.adminPort());
    assertThat(AdminProbe.sample(metrics, "portcullis_tls_certificate_reloads_total", Map.of("result", "success")))
        .hasValue(1.0);
  }

  @Test
  void aKubernetesSecretUpdatedByItsDataSymlinkSwapIsSeen() throws Exception {
    // The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>, swapped by a rename.
    Path version1 = Files.createDirectory(dir.resolve("..2031_01_01_00_00_00.1"));
    TestCertificates.Issued first = ca.server("first");
    first.writeTo(version1, "tls");
    Files.createSymbolicLink(dir.resolve("..data"), version1.getFileName());
    Path certFile = Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
    Path keyFile = Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data", "tls.key"));
    gateway = TestGateway.start(config(certFile, keyFile, new JsonObject().put("pollMs", 100)));
    assertThat(serialOfANewConnection()).isEqualTo(first.serial());

    Path version2 = Files.createDirectory(dir.resolve("..2031_01_02_00_00_00.2"));
    TestCertificates.Issued second = ca.server("second");
    second.writeTo(version2, "tls");
    Path staged = Files.createSymbolicLink(dir.resolve("..data_tmp"), version2.getFileName());
    Files.move(staged, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    awaitApplied();

    assertThat(serialOfANewConnection()).isEqualTo(second.serial());
    assertThat(errors()).isEmpty();
  }

  @Test
  void aCertificateWithTheKeyOfAnotherIsReportedOnceAndNothingChangesUntilTheKeyFollows() throws Exception {
    TestCertificates.Issued first = ca.server("first");
    TestCertificates.PemPair files = first.writeTo(dir, "tls");
    gateway = TestGateway.start(config(files.certFile(), files.keyFile(), new JsonObject().put("pollMs", 100)));
    TestCertificates.Issued second = ca.server("second");

    replace(files.certFile(), second.certificate());
    assertThat(log.awaitMessage("does not match the certificate", APPLY_WAIT_MS)).isNotNull();
    assertThat(serialOfANewConnection()).isEqualTo(first.serial());
    replace(files.keyFile(), second.keys().getPrivate());
    awaitApplied();

    assertThat(serialOfANewConnection()).isEqualTo(second.serial());
    assertThat(errors()).singleElement().asString().isEqualTo("TLS certificate reload (file change): server.tls.keyFile:"
        + " the key in \"" + files.keyFile() + "\" does not match the certificate in \"" + files.certFile()
        + "\"; the running certificate stays (" + describe(first) + ")");
    String metrics = AdminProbe.metrics(gateway.adminPort());
    assertThat(AdminProbe.sample(metrics, "portcullis_tls_certificate_reloads_total", Map.of("result", "failure")))
        .hasValue(1.0);
    assertThat(AdminProbe.sample(metrics, "portcullis_tls_certificate_expiration_timestamp_seconds", Map.of()))
        .hasValue(second.certificate().getNotAfter().getTime() / 1000.0);
  }

  @Test
  void adminReloadAndSighupReReadTheCertificateAtOnceAndSayWhatBecameOfIt() throws Exception {
    TestCertificates.Issued first = ca.server("first");
    TestCertificates.PemPair files = first.writeTo(dir, "tls");
    Path configFile = dir.resolve("gateway.json");
    Files.writeString(configFile, TestGateway.withTestDefaults(
        config(files.certFile(), files.keyFile(), new JsonObject().put("watch", false))).encodePrettily());
    gateway = TestGateway.startFromFile(configFile);

    TestCertificates.Issued second = ca.server("second");
    install(files, second);
    JsonObject applied = postReload(200);
    JsonObject unchanged = postReload(200);
    replace(files.keyFile(), ca.server("stranger").keys().getPrivate());
    // The configuration names the files, so it is invalid too while they do not belong together.
    JsonObject failed = postReload(400);

    assertThat(applied.getString("result")).isEqualTo("unchanged");
    assertThat(applied.getJsonObject("certificate").getString("result")).isEqualTo("applied");
    assertThat(applied.getJsonObject("certificate").getString("certificate")).isEqualTo(describe(second));
    assertThat(unchanged.getJsonObject("certificate").getString("result")).isEqualTo("unchanged");
    assertThat(failed.getJsonArray("errors").getList())
        .containsExactly("server.tls.keyFile: does not match the certificate in server.tls.certFile");
    assertThat(failed.getJsonObject("certificate").getString("result")).isEqualTo("failed");
    assertThat(failed.getJsonObject("certificate").getString("error"))
        .startsWith("server.tls.keyFile: the key in \"" + files.keyFile() + "\" does not match");
    assertThat(serialOfANewConnection()).isEqualTo(second.serial());

    TestCertificates.Issued third = ca.server("third");
    install(files, third);
    Await.result(gateway.gateway().reload("SIGHUP"));
    assertThat(serialOfANewConnection()).isEqualTo(third.serial());
    assertThat(log.messagesContaining("TLS certificate reload (SIGHUP) applied")).hasSize(1);
  }

  private static String describe(TestCertificates.Issued issued) {
    return "serial " + issued.serial().toString(16).toUpperCase() + ", subject "
        + issued.certificate().getSubjectX500Principal().getName() + ", valid until "
        + issued.certificate().getNotAfter().toInstant();
  }

  private JsonObject postReload(int status) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.adminPort() + "/admin/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return new JsonObject(response.body());
  }
}
