package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway verifies an upstream's {@code https://} endpoints (JSON object
 * {@code upstreams.NAME.tls}). Certificates are always verified; by default against the JVM's
 * trusted authorities.
 *
 * @param trustFile PEM file of the certificate authorities to trust instead of the JVM's (for a
 *     private CA); empty (the default) uses the JVM's
 * @param verifyHostname whether the certificate must name the endpoint's host; default
 *     {@code true}
 */
public record UpstreamTlsConfig(Optional<String> trustFile, boolean verifyHostname) {

  /** Default {@link #verifyHostname()}. */
  public static final boolean DEFAULT_VERIFY_HOSTNAME = true;

  /** Checks that no component is null. */
  public UpstreamTlsConfig {
    Objects.requireNonNull(trustFile, "trustFile");
  }

  /** The configuration used when an upstream has no {@code tls} object. */
  public static UpstreamTlsConfig defaults() {
    return new UpstreamTlsConfig(Optional.empty(), DEFAULT_VERIFY_HOSTNAME);
  }
}
