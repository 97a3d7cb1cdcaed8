package io.portcullis.edge;

import io.vertx.core.net.TrustOptions;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The main listener's trust: it asks no client for a certificate, and trusts none.
 *
 * <p>Why the listener has one at all: given none, Netty's OpenSSL server context loads the JDK's
 * default trust store (about 140 CA certificates, parsed one by one) when it is built, and Vert.x
 * builds it on the event loop when the first TLS connection arrives, which stalls that loop for
 * about 90 ms on one core (docs/performance.md, "TLS start-up"). This trust manager is never
 * consulted while the listener asks for no client certificate; if it were, it would refuse.
 */
final class NoClientCertificates extends X509ExtendedTrustManager {

  /** The listener's trust options: this trust manager. */
  static final TrustOptions OPTIONS = TrustOptions.wrap(new NoClientCertificates());

  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private NoClientCertificates() {
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw refused();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw refused();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw refused();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw refused();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw refused();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw refused();
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }

  private static CertificateException refused() {
    return new CertificateException("the listener accepts no client certificates");
  }
}
