package io.portcullis.config;

/** How many requests may be in flight to one upstream (JSON {@code upstreams.NAME.concurrency.mode}). */
public enum ConcurrencyMode {
  /** {@code "off"}: no limit beyond the connection pool. */
  OFF("off"),
  /** {@code "fixed"}: at most {@code max} requests in flight to the upstream, process-wide. */
  FIXED("fixed"),
  /**
   * {@code "adaptive"}: the limit moves between {@code min} and {@code max} from the latency the
   * upstream shows, starting at {@code initial}.
   */
  ADAPTIVE("adaptive");

  private final String jsonName;

  ConcurrencyMode(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration, e.g. {@code "adaptive"}. */
  public String jsonName() {
    return jsonName;
  }
}
