package io.portcullis.config;

/**
 * DNS discovery of an upstream's endpoints (JSON object {@code upstreams.NAME.discovery}). With
 * it, each endpoint keeps its host name, which is resolved every {@code refreshMs} (A and AAAA);
 * every address becomes an endpoint of its own.
 *
 * @param dns whether endpoint host names are resolved and re-resolved; default {@code false}
 *     (each endpoint is one endpoint, resolved when connecting, as before)
 * @param refreshMs how often names are resolved again, whatever the records' TTL, >= 1; default
 *     {@code 5000}
 */
public record DiscoveryConfig(boolean dns, long refreshMs) {

  /** Default {@link #dns()}. */
  public static final boolean DEFAULT_DNS = false;
  /** Default {@link #refreshMs()}. */
  public static final long DEFAULT_REFRESH_MS = 5_000L;

  /** The configuration used when an upstream has no {@code discovery} object. */
  public static DiscoveryConfig defaults() {
    return new DiscoveryConfig(DEFAULT_DNS, DEFAULT_REFRESH_MS);
  }
}
