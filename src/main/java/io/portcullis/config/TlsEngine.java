package io.portcullis.config;

/** Which TLS implementation serves the main listener (JSON {@code server.tls.engine}). */
public enum TlsEngine {
  /**
   * {@code "openssl"}: BoringSSL through netty-tcnative, bundled for Linux x86-64 and AArch64 (the
   * default). Where its native library cannot load, the listener uses the JDK's engine and says so
   * once in a warning.
   */
  OPENSSL("openssl"),
  /** {@code "jdk"}: the JDK's own {@code SSLEngine}. */
  JDK("jdk");

  private final String jsonName;

  TlsEngine(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration. */
  public String jsonName() {
    return jsonName;
  }
}
