package io.portcullis.config;

/** Where a route's token buckets live (JSON {@code routes[i].rateLimit.scope}). */
public enum RateLimitScope {
  /** {@code "instance"} (the default): in this process; each gateway counts on its own. */
  INSTANCE("instance"),
  /**
   * {@code "cluster"}: in Redis (top-level {@code redis}), one bucket per route name and key shared
   * by every gateway using that Redis; the instance's own bucket decides while Redis cannot.
   */
  CLUSTER("cluster");

  private final String jsonName;

  RateLimitScope(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration, e.g. {@code "cluster"}. */
  public String jsonName() {
    return jsonName;
  }
}
