package io.portcullis.config;

import java.util.Objects;

/**
 * TLS on the main listener (JSON object {@code server.tls}). With it the listener speaks HTTPS and
 * offers HTTP/2 and HTTP/1.1 by ALPN.
 *
 * @param certFile PEM file with the certificate chain, leaf first; required
 * @param keyFile PEM file with the private key (PKCS#8, or PKCS#1 RSA / SEC1 EC); required
 */
public record TlsConfig(String certFile, String keyFile) {

  /** Checks that no component is null. */
  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
