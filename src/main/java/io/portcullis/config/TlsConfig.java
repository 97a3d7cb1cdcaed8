package io.portcullis.config;

import java.util.Objects;

/**
 * TLS on the main listener (JSON object {@code server.tls}). With it the listener speaks HTTPS and
 * offers HTTP/2 and HTTP/1.1 by ALPN.
 *
 * @param certFile PEM file with the certificate chain, leaf first; required
 * @param keyFile PEM file with the private key (PKCS#8, or PKCS#1 RSA / SEC1 EC); required
 * @param engine the TLS implementation; default {@link #DEFAULT_ENGINE}
 */
public record TlsConfig(String certFile, String keyFile, TlsEngine engine) {

  /** Default of {@code engine}: OpenSSL (BoringSSL), the JDK's engine where it cannot load. */
  public static final TlsEngine DEFAULT_ENGINE = TlsEngine.OPENSSL;

  /** Checks that no component is null. */
  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(engine, "engine");
  }

  /** TLS with the default engine. */
  public TlsConfig(String certFile, String keyFile) {
    this(certFile, keyFile, DEFAULT_ENGINE);
  }
}
