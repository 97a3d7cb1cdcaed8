package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the listener's certificate and key, and the check that the key belongs to the certificate. */
class CertificatePairTest {

  private static TestCertificates ca;

  @TempDir
  Path dir;

  @BeforeAll
  static void authority() {
    ca = TestCertificates.authority("Pair Test CA");
  }

  @Test
  void readsAnEcKeyInPkcs8AndSec1FormWithItsCertificate() throws Exception {
    TestCertificates.Issued issued = ca.server("ec");
    TestCertificates.PemPair pkcs8 = issued.writeTo(dir, "pkcs8");
    Files.createDirectory(dir.resolve("sec1"));
    TestCertificates.PemPair sec1 = issued.writeTraditionalTo(dir.resolve("sec1"), "ec");

    CertificatePair fromPkcs8 = CertificatePair.read(pkcs8.certFile().toString(), pkcs8.keyFile().toString());
    CertificatePair fromSec1 = CertificatePair.read(sec1.certFile().toString(), sec1.keyFile().toString());

    assertThat(Files.readString(sec1.keyFile())).contains("-----BEGIN EC PRIVATE KEY-----");
    assertThat(fromPkcs8.leaf().getSerialNumber()).isEqualTo(issued.serial());
    assertThat(fromSec1.leaf().getSerialNumber()).isEqualTo(issued.serial());
    assertThat(fromSec1.serial()).isEqualTo(issued.serial().toString(16).toUpperCase());
  }

  @Test
  void readsAnRsaKeyInPkcs1FormWithItsCertificate() throws Exception {
    TestCertificates.Issued issued = ca.serverRsa("rsa");
    TestCertificates.PemPair pair = issued.writeTraditionalTo(dir, "rsa");

    CertificatePair read = CertificatePair.read(pair.certFile().toString(), pair.keyFile().toString());

    assertThat(Files.readString(pair.keyFile())).contains("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(read.leaf().getSerialNumber()).isEqualTo(issued.serial());
  }

  @Test
  void refusesTheKeyOfAnotherCertificateAsAMismatchNamingBothFiles() {
    TestCertificates.PemPair mine = ca.server("mine").writeTo(dir, "mine");
    TestCertificates.PemPair other = ca.server("other").writeTo(dir, "other");

    assertThatThrownBy(() -> CertificatePair.read(mine.certFile().toString(), other.keyFile().toString()))
        .isInstanceOfSatisfying(CertificatePair.Invalid.class, e -> {
          assertThat(e.mismatch()).isTrue();
          assertThat(e.setting()).isEqualTo("keyFile");
          assertThat(e.getMessage()).isEqualTo("the key in \"" + other.keyFile() + "\" does not match the certificate in \""
              + mine.certFile() + "\"");
        });
  }

  @Test
  void refusesAnRsaKeyForAnEcCertificateAsAMismatch() {
    TestCertificates.PemPair ec = ca.server("ec").writeTo(dir, "ec");
    TestCertificates.PemPair rsa = ca.serverRsa("rsa").writeTo(dir, "rsa");

    assertThatThrownBy(() -> CertificatePair.read(ec.certFile().toString(), rsa.keyFile().toString()))
        .isInstanceOfSatisfying(CertificatePair.Invalid.class, e -> assertThat(e.mismatch()).isTrue());
  }

  @Test
  void namesTheMissingFileAndItsSetting() {
    TestCertificates.PemPair pair = ca.server("gone").writeTo(dir, "gone");
    String missing = dir.resolve("absent.crt").toString();

    assertThatThrownBy(() -> CertificatePair.read(missing, pair.keyFile().toString()))
        .isInstanceOfSatisfying(CertificatePair.Invalid.class, e -> {
          assertThat(e.mismatch()).isFalse();
          assertThat(e.setting()).isEqualTo("certFile");
          assertThat(e.getMessage()).isEqualTo("no such file \"" + missing + "\"");
        });
  }

  @Test
  void refusesAKeyTheListenerCannotServe() throws Exception {
    TestCertificates.PemPair pair = ca.server("ed").writeTo(dir, "ed");
    Path ed25519 = dir.resolve("ed25519.key");
    TestCertificates.write(ed25519, KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());

    assertThatThrownBy(() -> CertificatePair.read(pair.certFile().toString(), ed25519.toString()))
        .isInstanceOfSatisfying(CertificatePair.Invalid.class, e -> {
          assertThat(e.mismatch()).isFalse();
          assertThat(e.setting()).isEqualTo("keyFile");
          assertThat(e.getMessage()).startsWith("invalid private key in \"" + ed25519 + "\" (an RSA or EC key is needed)");
        });
  }

  @Test
  void tellsWhetherItWasMadeOfTheseBytes() throws Exception {
    TestCertificates.PemPair pair = ca.server("same").writeTo(dir, "same");
    CertificatePair read = CertificatePair.read(pair.certFile().toString(), pair.keyFile().toString());
    byte[] cert = Files.readAllBytes(pair.certFile());
    byte[] key = Files.readAllBytes(pair.keyFile());

    assertThat(read.sameContent(cert, key)).isTrue();
    cert[cert.length - 1] ^= 1;
    assertThat(read.sameContent(cert, key)).isFalse();
  }
}
