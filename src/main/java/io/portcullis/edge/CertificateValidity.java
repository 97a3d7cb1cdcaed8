package io.portcullis.edge;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a certificate stands in its validity period at a given instant, and the words for it
 * (README "server.tls and HTTP/2", certificate renewal). A pure function of the certificate and
 * the instant: the caller reads its clock.
 *
 * <ul>
 *   <li>{@link State#VALID}: valid for more than {@link #EXPIRY_WARNING}.</li>
 *   <li>{@link State#EXPIRES_SOON}: valid, but for {@link #EXPIRY_WARNING} or less: a warning at
 *       {@code --check}, at start and when a reload applies it.</li>
 *   <li>{@link State#EXPIRED} and {@link State#NOT_YET_VALID}: clients refuse it. A reload keeps
 *       the running certificate instead; at start and at {@code --check} it is a warning (the
 *       gateway still starts, and serves it).</li>
 * </ul>
 */
public final class CertificateValidity {

  /** How long before its expiry a certificate is warned about: 14 days. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  /** Where a certificate stands. */
  public enum State {
    /** Valid for more than {@link #EXPIRY_WARNING}. */
    VALID,
    /** Valid for {@link #EXPIRY_WARNING} or less. */
    EXPIRES_SOON,
    /** Past its {@code notAfter}. */
    EXPIRED,
    /** Before its {@code notBefore}. */
    NOT_YET_VALID;

    /** Whether a client would accept it now (as far as dates go). */
    public boolean usable() {
      return this == VALID || this == EXPIRES_SOON;
    }
  }

  private CertificateValidity() {
  }

  /** Where {@code certificate} stands at {@code now}. */
  public static State of(X509Certificate certificate, Instant now) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      return State.NOT_YET_VALID;
    }
    if (now.isAfter(notAfter)) {
      return State.EXPIRED;
    }
    return Duration.between(now, notAfter).compareTo(EXPIRY_WARNING) <= 0 ? State.EXPIRES_SOON : State.VALID;
  }

  /**
   * The warning about {@code certificate} (read from {@code file}) at {@code now}, or null when it is
   * {@link State#VALID}: {@code the certificate in "/etc/tls/tls.crt" (serial 5F3A, subject
   * CN=gateway) expires in 3 days, at 2025-06-01T00:00:00Z}.
   */
  public static String warning(X509Certificate certificate, String file, Instant now) {
    String which = "the certificate in \"" + file + "\" (serial " + CertificatePair.serialHex(certificate.getSerialNumber())
        + ", subject " + certificate.getSubjectX500Principal().getName() + ")";
    Instant notAfter = certificate.getNotAfter().toInstant();
    return switch (of(certificate, now)) {
      case VALID -> null;
      case EXPIRES_SOON -> which + " expires in " + span(Duration.between(now, notAfter)) + ", at " + notAfter;
      case EXPIRED -> which + " expired " + span(Duration.between(notAfter, now)) + " ago, at " + notAfter
          + "; clients will refuse it";
      case NOT_YET_VALID -> which + " is not valid before " + certificate.getNotBefore().toInstant()
          + "; clients will refuse it until then";
    };
  }

  /**
   * Why a reload refuses {@code certificate} at {@code now}, or null when its dates allow it:
   * {@code the certificate in "/etc/tls/tls.crt" (serial 5F3A) expired at 2025-06-01T00:00:00Z}.
   * Worded without the time elapsed, so the same certificate always gets the same words.
   */
  public static String refusal(X509Certificate certificate, String file, Instant now) {
    String which = "the certificate in \"" + file + "\" (serial "
        + CertificatePair.serialHex(certificate.getSerialNumber()) + ")";
    return switch (of(certificate, now)) {
      case VALID, EXPIRES_SOON -> null;
      case EXPIRED -> which + " expired at " + certificate.getNotAfter().toInstant();
      case NOT_YET_VALID -> which + " is not valid before " + certificate.getNotBefore().toInstant();
    };
  }

  /** {@code 3 days}, {@code 1 day}, {@code 5 hours}, {@code 12 minutes}: the largest whole unit. */
  static String span(Duration duration) {
    long days = duration.toDays();
    if (days >= 1) {
      return days + (days == 1 ? " day" : " days");
    }
    long hours = duration.toHours();
    if (hours >= 1) {
      return hours + (hours == 1 ? " hour" : " hours");
    }
    long minutes = Math.max(0, duration.toMinutes());
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }
}
