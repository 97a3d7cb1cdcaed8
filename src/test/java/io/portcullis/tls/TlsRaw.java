package io.portcullis.tls;

import io.portcullis.testkit.RawHttp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Exact bytes over TLS (ALPN {@code http/1.1}) on a raw socket, as {@link RawHttp} does in cleartext. */
final class TlsRaw {

  private TlsRaw() {
  }

  /** An SSL context trusting {@code authority} only. */
  static SSLContext trusting(X509Certificate authority) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", authority);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TLS socket to {@code 127.0.0.1:port}, handshaken with ALPN {@code protocols}. */
  static SSLSocket connect(SSLContext context, int port, String... protocols) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(protocols);
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  /**
   * Sends {@code request} over TLS with ALPN {@code http/1.1} and reads until the server closes or
   * {@code readTimeoutMs} passes without data.
   */
  static RawHttp.Reply exchange(SSLContext context, int port, String request, int readTimeoutMs) throws IOException {
    try (SSLSocket socket = connect(context, port, "http/1.1")) {
      if (!"http/1.1".equals(socket.getApplicationProtocol())) {
        throw new IllegalStateException("negotiated " + socket.getApplicationProtocol());
      }
      return RawHttp.exchange(socket, request.getBytes(StandardCharsets.ISO_8859_1), readTimeoutMs);
    }
  }
}
