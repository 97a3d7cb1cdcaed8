package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.edge.CertificateValidity.State;
import io.portcullis.testkit.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Where a certificate stands in its validity period, and the words for it, at a given instant. */
class CertificateValidityTest {

  private static final TestCertificates CA = TestCertificates.authority("Validity Test CA");
  private static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant NOT_AFTER = Instant.parse("2030-04-01T00:00:00Z");
  private static final X509Certificate CERT = CA.server("dates", NOT_BEFORE, NOT_AFTER).certificate();
  private static final String SERIAL = CERT.getSerialNumber().toString(16).toUpperCase();

  @Test
  void statesAtTheEdgesOfTheValidityPeriodAndTheWarningWindow() {
    assertThat(CertificateValidity.of(CERT, NOT_BEFORE.minusSeconds(1))).isEqualTo(State.NOT_YET_VALID);
    assertThat(CertificateValidity.of(CERT, NOT_BEFORE)).isEqualTo(State.VALID);
    assertThat(CertificateValidity.of(CERT, NOT_AFTER.minus(Duration.ofDays(14)).minusSeconds(1))).isEqualTo(State.VALID);
    assertThat(CertificateValidity.of(CERT, NOT_AFTER.minus(Duration.ofDays(14)))).isEqualTo(State.EXPIRES_SOON);
    assertThat(CertificateValidity.of(CERT, NOT_AFTER)).isEqualTo(State.EXPIRES_SOON);
    assertThat(CertificateValidity.of(CERT, NOT_AFTER.plusSeconds(1))).isEqualTo(State.EXPIRED);
    assertThat(State.EXPIRES_SOON.usable()).isTrue();
    assertThat(State.EXPIRED.usable()).isFalse();
    assertThat(State.NOT_YET_VALID.usable()).isFalse();
  }

  @Test
  void warnsWithTheFileSerialSubjectAndTimeLeft() {
    assertThat(CertificateValidity.warning(CERT, "/tls/tls.crt", NOT_AFTER.minus(Duration.ofDays(20)))).isNull();
    assertThat(CertificateValidity.warning(CERT, "/tls/tls.crt", NOT_AFTER.minus(Duration.ofDays(3)).minusSeconds(60)))
        .isEqualTo("the certificate in \"/tls/tls.crt\" (serial " + SERIAL + ", subject CN=dates) expires in 3 days,"
            + " at 2030-04-01T00:00:00Z");
    assertThat(CertificateValidity.warning(CERT, "/tls/tls.crt", NOT_AFTER.minus(Duration.ofHours(5))))
        .endsWith("expires in 5 hours, at 2030-04-01T00:00:00Z");
    assertThat(CertificateValidity.warning(CERT, "/tls/tls.crt", NOT_AFTER.plus(Duration.ofDays(2))))
        .isEqualTo("the certificate in \"/tls/tls.crt\" (serial " + SERIAL + ", subject CN=dates) expired 2 days ago,"
            + " at 2030-04-01T00:00:00Z; clients will refuse it");
    assertThat(CertificateValidity.warning(CERT, "/tls/tls.crt", NOT_BEFORE.minusSeconds(1)))
        .endsWith("is not valid before 2030-01-01T00:00:00Z; clients will refuse it until then");
  }

  @Test
  void refusesOnlyForDatesAndInWordsThatDoNotChangeWithTime() {
    assertThat(CertificateValidity.refusal(CERT, "/tls/tls.crt", NOT_AFTER.minus(Duration.ofDays(1)))).isNull();
    String dayAfter = CertificateValidity.refusal(CERT, "/tls/tls.crt", NOT_AFTER.plus(Duration.ofDays(1)));
    String weekAfter = CertificateValidity.refusal(CERT, "/tls/tls.crt", NOT_AFTER.plus(Duration.ofDays(7)));
    assertThat(dayAfter).isEqualTo("the certificate in \"/tls/tls.crt\" (serial " + SERIAL
        + ") expired at 2030-04-01T00:00:00Z").isEqualTo(weekAfter);
    assertThat(CertificateValidity.refusal(CERT, "/tls/tls.crt", NOT_BEFORE.minusSeconds(1)))
        .isEqualTo("the certificate in \"/tls/tls.crt\" (serial " + SERIAL + ") is not valid before 2030-01-01T00:00:00Z");
  }

  @Test
  void spansUseTheLargestWholeUnit() {
    assertThat(CertificateValidity.span(Duration.ofDays(1).plusHours(23))).isEqualTo("1 day");
    assertThat(CertificateValidity.span(Duration.ofHours(1))).isEqualTo("1 hour");
    assertThat(CertificateValidity.span(Duration.ofMinutes(59))).isEqualTo("59 minutes");
    assertThat(CertificateValidity.span(Duration.ofSeconds(30))).isEqualTo("0 minutes");
  }
}
