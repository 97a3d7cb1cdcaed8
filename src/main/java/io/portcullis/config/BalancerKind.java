package io.portcullis.config;

/** How an upstream spreads requests over its endpoints (JSON {@code balancer}). */
public enum BalancerKind {
  /** {@code "round-robin"}: each endpoint in turn (the default). */
  ROUND_ROBIN("round-robin"),
  /** {@code "least-requests"}: power of two choices on in-flight requests. */
  LEAST_REQUESTS("least-requests");

  private final String jsonName;

  BalancerKind(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration, e.g. {@code "round-robin"}. */
  public String jsonName() {
    return jsonName;
  }
}
