package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.TlsConfig;
import io.portcullis.edge.ListenerCertificate.Result;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeClock;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.TestCertificates;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the listener's certificate: what is applied, what is refused and kept, and what is
 * logged, one poll or reload at a time (no listener: {@code CertificateReloadTest} has the real one).
 */
class ListenerCertificateTest {

  private static final TestCertificates CA = TestCertificates.authority("Reload Test CA");
  private static final Instant NOW = Instant.parse("2031-06-01T00:00:00Z");

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeClock clock = new FakeClock(NOW);
  private LogCapture log;
  private Path certFile;
  private Path keyFile;
  private TestCertificates.Issued first;
  private ListenerCertificate certificate;

  @BeforeEach
  void start() throws IOException {
    log = LogCapture.of("portcullis.tls");
    certFile = dir.resolve("tls.crt");
    keyFile = dir.resolve("tls.key");
    first = valid("first");
    install(first);
    certificate = new ListenerCertificate(vertx, new TlsConfig(certFile.toString(), keyFile.toString()), clock,
        new GatewayMetrics(registry));
    Await.result(certificate.load());
  }

  @AfterEach
  void stop() {
    log.close();
    Await.result(vertx.close());
  }

  private static TestCertificates.Issued valid(String cn) {
    return CA.server(cn, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(60)));
  }

  /** Replaces both files, each in one atomic step (a new file renamed over the old one). */
  private void install(TestCertificates.Issued issued) throws IOException {
    writeCertificate(issued);
    writeKey(issued);
  }

  private void writeCertificate(TestCertificates.Issued issued) throws IOException {
    Path staged = dir.resolve("staged.crt");
    TestCertificates.write(staged, issued.certificate());
    Files.move(staged, certFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void writeKey(TestCertificates.Issued issued) throws IOException {
    Path staged = dir.resolve("staged.key");
    TestCertificates.write(staged, issued.keys().getPrivate());
    Files.move(staged, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private List<String> errors() {
    return log.events().stream().filter(e -> e.getLevel() == Level.ERROR).map(e -> e.getFormattedMessage()).toList();
  }

  private double reloads(String result) {
    return registry.get("portcullis_tls_certificate_reloads").tag("result", result).counter().count();
  }

  @Test
  void aPollFindingTheSameFilesDoesNothingAndSaysNothing() {
    ListenerCertificate.Outcome outcome = Await.result(certificate.poll());

    assertThat(outcome.result()).isEqualTo(Result.UNCHANGED);
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(first.serial());
    assertThat(log.events()).isEmpty();
    assertThat(reloads("success") + reloads("failure")).isZero();
  }

  @Test
  void aChangedPairIsAppliedLoggedCountedAndShownByTheExpiryGauge() throws IOException {
    TestCertificates.Issued second = valid("second");
    install(second);

    ListenerCertificate.Outcome outcome = Await.result(certificate.poll());

    assertThat(outcome.result()).isEqualTo(Result.APPLIED);
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(second.serial());
    assertThat(log.messagesContaining("TLS certificate reload (file change) applied")).singleElement().asString()
        .contains("serial " + second.serial().toString(16).toUpperCase())
        .contains("was serial " + first.serial().toString(16).toUpperCase());
    assertThat(reloads("success")).isEqualTo(1);
    assertThat(registry.get("portcullis_tls_certificate_expiration_timestamp_seconds").gauge().value())
        .isEqualTo(second.certificate().getNotAfter().getTime() / 1000.0);
  }

  @Test
  void aRenewalSeenHalfWrittenIsNotReportedAndIsAppliedOnceComplete() throws IOException {
    TestCertificates.Issued second = valid("second");
    writeCertificate(second); // the new certificate with the old key: a poll falls between the two writes

    ListenerCertificate.Outcome between = Await.result(certificate.poll());
    writeKey(second);
    ListenerCertificate.Outcome after = Await.result(certificate.poll());

    assertThat(between.result()).isEqualTo(Result.FAILED);
    assertThat(after.result()).isEqualTo(Result.APPLIED);
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(second.serial());
    assertThat(errors()).isEmpty();
    assertThat(reloads("failure")).isZero();
  }

  @Test
  void aMismatchSeenOnTwoPollsIsReportedOnceAndTheRunningCertificateStays() throws IOException {
    writeCertificate(valid("second")); // and the key stays the first one's

    Await.result(certificate.poll());
    assertThat(errors()).isEmpty();
    ListenerCertificate.Outcome second = Await.result(certificate.poll());
    ListenerCertificate.Outcome third = Await.result(certificate.poll());

    assertThat(second.result()).isEqualTo(Result.FAILED);
    assertThat(third.result()).isEqualTo(Result.FAILED);
    assertThat(second.detail()).isEqualTo("server.tls.keyFile: the key in \"" + keyFile
        + "\" does not match the certificate in \"" + certFile + "\"");
    assertThat(errors()).singleElement().asString()
        .isEqualTo("TLS certificate reload (file change): " + second.detail() + "; the running certificate stays ("
            + certificate.current().describe() + ")");
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(first.serial());
    assertThat(reloads("failure")).isEqualTo(1);
  }

  @Test
  void aReloadAskedForReportsAtOnceEvenWhatAPollAlreadyReported() throws IOException {
    writeCertificate(valid("second"));
    Await.result(certificate.poll());
    Await.result(certificate.poll());

    ListenerCertificate.Outcome asked = Await.result(certificate.reload("SIGHUP"));

    assertThat(asked.result()).isEqualTo(Result.FAILED);
    assertThat(errors()).hasSize(2);
    assertThat(errors().get(1)).startsWith("TLS certificate reload (SIGHUP): server.tls.keyFile: ");
    assertThat(asked.toJson().getString("result")).isEqualTo("failed");
    assertThat(asked.toJson().getString("error")).isEqualTo(asked.detail());
  }

  @Test
  void aReloadAskedForWithNothingChangedSaysSo() {
    ListenerCertificate.Outcome asked = Await.result(certificate.reload("admin"));

    assertThat(asked.result()).isEqualTo(Result.UNCHANGED);
    assertThat(asked.toJson().getString("certificate")).isEqualTo(certificate.current().describe());
    assertThat(log.messagesContaining("TLS certificate reload (admin): unchanged")).hasSize(1);
    assertThat(reloads("success")).isEqualTo(1);
  }

  @Test
  void anExpiredCertificateIsRefusedWithItsFileAndDate() throws IOException {
    TestCertificates.Issued expired = CA.server("expired", NOW.minus(Duration.ofDays(90)), NOW.minus(Duration.ofDays(1)));
    install(expired);

    ListenerCertificate.Outcome outcome = Await.result(certificate.reload("SIGHUP"));

    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(outcome.detail()).isEqualTo("server.tls.certFile: the certificate in \"" + certFile + "\" (serial "
        + expired.serial().toString(16).toUpperCase() + ") expired at " + expired.certificate().getNotAfter().toInstant());
    assertThat(errors()).singleElement().asString().contains(outcome.detail());
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(first.serial());
  }

  @Test
  void aCertificateNotValidYetIsRefusedUntilItsTimeComes() throws IOException {
    TestCertificates.Issued early = CA.server("early", NOW.plus(Duration.ofHours(2)), NOW.plus(Duration.ofDays(90)));
    install(early);

    ListenerCertificate.Outcome before = Await.result(certificate.poll());
    clock.advance(Duration.ofHours(3));
    ListenerCertificate.Outcome after = Await.result(certificate.poll());

    assertThat(before.result()).isEqualTo(Result.FAILED);
    assertThat(before.detail()).contains("is not valid before");
    assertThat(after.result()).isEqualTo(Result.APPLIED);
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(early.serial());
  }

  @Test
  void aCertificateExpiringSoonIsAppliedWithAWarning() throws IOException {
    TestCertificates.Issued soon = CA.server("soon", NOW.minus(Duration.ofDays(80)), NOW.plus(Duration.ofDays(5)));
    install(soon);

    ListenerCertificate.Outcome outcome = Await.result(certificate.poll());

    assertThat(outcome.result()).isEqualTo(Result.APPLIED);
    assertThat(log.events()).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("server.tls.certFile: the certificate in \"")
            .contains("expires in 5 days"));
  }

  @Test
  void anUnreadableKeyFileIsNamedAndTheRunningCertificateStays() throws IOException {
    Files.delete(keyFile);

    ListenerCertificate.Outcome outcome = Await.result(certificate.reload("SIGHUP"));

    assertThat(outcome.detail()).isEqualTo("server.tls.keyFile: no such file \"" + keyFile + "\"");
    assertThat(errors()).singleElement().asString()
        .startsWith("TLS certificate reload (SIGHUP): server.tls.keyFile: no such file \"" + keyFile + "\"; the running certificate stays");
    assertThat(certificate.current().leaf().getSerialNumber()).isEqualTo(first.serial());
  }

  @Test
  void startingWithAnExpiredCertificateWarnsAndServesIt() throws IOException {
    TestCertificates.Issued expired = CA.server("expired", NOW.minus(Duration.ofDays(90)), NOW.minus(Duration.ofDays(1)));
    install(expired);
    ListenerCertificate restarted = new ListenerCertificate(vertx, new TlsConfig(certFile.toString(), keyFile.toString()),
        clock, new GatewayMetrics(new SimpleMeterRegistry()));

    Await.result(restarted.load());

    assertThat(restarted.current().leaf().getSerialNumber()).isEqualTo(expired.serial());
    assertThat(log.events()).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("expired 1 day ago").endsWith("clients will refuse it"));
  }
}
