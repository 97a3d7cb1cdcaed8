package io.portcullis.edge;

import io.netty.handler.ssl.OpenSsl;
import io.portcullis.config.TlsEngine;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS engine of the main listener, from {@code server.tls.engine} (README "server.tls and
 * HTTP/2"). {@code openssl} is BoringSSL through netty-tcnative, whose native library the jar
 * carries for Linux x86-64 and AArch64; it costs about 0.7× the CPU of the JDK's {@code SSLEngine}
 * per HTTP/2 request (docs/performance.md, "HTTP/2 and TLS, second pass"). Where that library
 * cannot load (another operating system or architecture, a C library it was not built for), or
 * offers no ALPN, the listener uses the JDK's engine, and one warning per process says why.
 */
public final class ListenerTlsEngine {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.tls");
  private static final AtomicBoolean FALLBACK_WARNED = new AtomicBoolean();

  private ListenerTlsEngine() {
  }

  /**
   * Vert.x's engine options for {@code engine}: OpenSSL's when asked for and usable with ALPN, the
   * JDK's otherwise.
   */
  public static SSLEngineOptions options(TlsEngine engine) {
    if (engine == TlsEngine.OPENSSL) {
      String unusable = openSslUnusable();
      if (unusable == null) {
        return new OpenSSLEngineOptions();
      }
      if (FALLBACK_WARNED.compareAndSet(false, true)) {
        LOG.warn("server.tls.engine: \"openssl\" cannot be used here ({}); the listener uses the JDK's TLS engine",
            unusable);
      }
    }
    return new JdkSSLEngineOptions();
  }

  /** Why OpenSSL cannot serve the listener, or null when it can. */
  private static String openSslUnusable() {
    if (!OpenSSLEngineOptions.isAvailable()) {
      Throwable cause = OpenSsl.unavailabilityCause();
      return "its native library did not load: " + (cause == null ? "no reason given" : cause.toString());
    }
    if (!OpenSSLEngineOptions.isAlpnAvailable()) {
      return "it offers no ALPN, which HTTP/2 needs";
    }
    return null;
  }
}
