package io.portcullis.config;

/** How the retry backoff randomises its sleeps (JSON {@code retry.jitter}, README "How a request flows"). */
public enum JitterMode {
  /** {@code "full"} (the default): uniform(0, min(maxDelayMs, baseDelayMs · 2^(k-1))). */
  FULL("full"),
  /** {@code "equal"}: half the capped exponential delay plus a uniform random other half. */
  EQUAL("equal"),
  /** {@code "decorrelated"}: uniform(baseDelayMs, 3 × previous sleep), capped at maxDelayMs. */
  DECORRELATED("decorrelated"),
  /** {@code "none"}: exactly min(maxDelayMs, baseDelayMs · 2^(k-1)). */
  NONE("none");

  private final String jsonName;

  JitterMode(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration, e.g. {@code "full"}. */
  public String jsonName() {
    return jsonName;
  }
}
