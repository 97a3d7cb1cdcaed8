package io.portcullis.config;

import java.util.Objects;

/**
 * The Redis server that holds cluster-wide rate-limit buckets (JSON object {@code redis}; only
 * routes with {@code rateLimit.scope: "cluster"} use it).
 *
 * @param endpoint a Vert.x Redis connection string, {@code redis://[:password@]host[:port][/db]},
 *     or {@code rediss://} for TLS; required
 * @param timeoutMs the longest a request waits for Redis's answer before its instance's own bucket
 *     decides, >= 1; default {@code 25}
 */
public record RedisConfig(String endpoint, long timeoutMs) {

  /** Default {@link #timeoutMs()}. */
  public static final long DEFAULT_TIMEOUT_MS = 25L;

  /** Checks for null. */
  public RedisConfig {
    Objects.requireNonNull(endpoint, "endpoint");
  }
}
