package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --check} of the listener's certificate (README "server.tls and HTTP/2"): a key of another
 * certificate is a configuration error with its path; a certificate near its end, expired or not yet
 * valid is a warning on stderr, and the configuration is still valid.
 */
class MainCertificateCheckTest {

  private static TestCertificates ca;

  @TempDir
  Path dir;

  @BeforeAll
  static void authority() {
    ca = TestCertificates.authority("Check Test CA");
  }

  private Path config(TestCertificates.PemPair pair) throws IOException {
    return config(pair.certFile(), pair.keyFile());
  }

  private Path config(Path certFile, Path keyFile) throws IOException {
    Path file = dir.resolve("gateway.json");
    Files.writeString(file, ("{'server':{'tls':{'certFile':'" + certFile + "','keyFile':'" + keyFile + "'}},"
        + "'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]}").replace('\'', '"'));
    return file;
  }

  @Test
  void aCertificateValidForLongIsCheckedWithoutAWord() throws IOException {
    Instant now = Instant.now();
    Path config = config(ca.server("long", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90))).writeTo(dir, "long"));

    CommandLineRun run = CommandLineRun.of("--check", "--config", config.toString());

    assertThat(run.status()).isZero();
    assertThat(run.out().strip()).isEqualTo("config OK");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aCertificateExpiringWithin14DaysIsAWarningAndTheCheckStillPasses() throws IOException {
    Instant now = Instant.now();
    TestCertificates.Issued soon = ca.server("soon", now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(3)).plusSeconds(3600));
    TestCertificates.PemPair pair = soon.writeTo(dir, "soon");

    CommandLineRun run = CommandLineRun.of("--check", "--config", config(pair).toString());

    assertThat(run.status()).isZero();
    assertThat(run.out().strip()).isEqualTo("config OK");
    assertThat(run.errLines()).containsExactly("portcullis: warning: server.tls.certFile: the certificate in \""
        + pair.certFile() + "\" (serial " + soon.serial().toString(16).toUpperCase() + ", subject CN=soon) expires in 3 days, at "
        + soon.certificate().getNotAfter().toInstant());
  }

  @Test
  void anExpiredCertificateIsAWarningAndTheCheckStillPasses() throws IOException {
    Instant now = Instant.now();
    TestCertificates.PemPair pair =
        ca.server("old", now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(2)).minusSeconds(60)).writeTo(dir, "old");

    CommandLineRun run = CommandLineRun.of("--check", "--config", config(pair).toString());

    assertThat(run.status()).isZero();
    assertThat(run.out().strip()).isEqualTo("config OK");
    assertThat(run.errLines()).singleElement().asString()
        .startsWith("portcullis: warning: server.tls.certFile: the certificate in \"" + pair.certFile() + "\"")
        .contains(" expired 2 days ago, at ")
        .endsWith("; clients will refuse it");
  }

  @Test
  void aKeyOfAnotherCertificateIsAConfigErrorWithItsPath() throws IOException {
    TestCertificates.PemPair mine = ca.server("mine").writeTo(dir, "mine");
    TestCertificates.PemPair other = ca.server("other").writeTo(dir, "other");

    CommandLineRun run = CommandLineRun.of("--check", "--config", config(mine.certFile(), other.keyFile()).toString());

    assertThat(run.status()).isEqualTo(Main.EXIT_INVALID_CONFIG);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).endsWith("server.tls.keyFile: does not match the certificate in server.tls.certFile");
  }
}
