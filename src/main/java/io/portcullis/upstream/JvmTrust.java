package io.portcullis.upstream;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.UpstreamConfig;
import io.vertx.core.net.TrustOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JVM's own trust store (the JDK's certificate authorities, or {@code javax.net.ssl.trustStore})
 * as the trust options of the {@code https://} upstreams without {@code tls.trustFile}, read off the
 * event loops.
 *
 * <p>Why: given no trust options, the client's TLS context falls back to the JVM's store and reads
 * it (about 140 certificates, parsed one by one) when the first TLS connection to the upstream is
 * made, which Vert.x does on the event loop: that loop stalls for the time it takes
 * (docs/performance.md, "TLS start-up"). Read here instead, at start and before a reload that
 * brings the first such upstream, on the thread that starts the gateway or prepares the reload.
 * The store is read once per process; the same certificate authorities are trusted as before.
 * Should reading it fail, one warning says so and those upstreams fall back to the old way.
 */
public final class JvmTrust {

  private static final Logger LOG = LoggerFactory.getLogger(JvmTrust.class);
  private static volatile TrustOptions loaded;

  private JvmTrust() {
  }

  /**
   * Reads the JVM's trust store if {@code config} has an {@code https://} upstream without
   * {@code tls.trustFile} and it was not read yet. Blocking: call it off the event loops.
   */
  public static void loadFor(GatewayConfig config) {
    if (loaded != null || !needed(config)) {
      return;
    }
    synchronized (JvmTrust.class) {
      if (loaded == null) {
        try {
          loaded = read();
        } catch (GeneralSecurityException | RuntimeException e) {
          LOG.warn("the JVM's trust store could not be read ahead ({}): https upstreams without tls.trustFile"
              + " read it at their first connection", e.toString());
        }
      }
    }
  }

  /** Whether an upstream of {@code config} reaches an {@code https://} endpoint with the JVM's trust store. */
  static boolean needed(GatewayConfig config) {
    for (UpstreamConfig upstream : config.upstreams().values()) {
      if (upstream.tls().trustFile().isEmpty() && UpstreamClientOptions.speaksTls(upstream)) {
        return true;
      }
    }
    return false;
  }

  /** The JVM's trust store as trust options, read now. */
  static TrustOptions read() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return TrustOptions.wrap(factory);
  }

  /** The JVM's trust store, if {@link #loadFor} has read it. */
  static Optional<TrustOptions> options() {
    return Optional.ofNullable(loaded);
  }
}
