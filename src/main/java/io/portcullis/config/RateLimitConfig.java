package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A route's token bucket (JSON object {@code routes[i].rateLimit}). With scope {@code instance}
 * each gateway instance counts on its own: behind a load balancer the cluster admits about
 * {@code replicas} times the rate. With scope {@code cluster} the buckets live in Redis and are
 * shared by every gateway using it.
 *
 * @param requestsPerSecond tokens added per second, > 0 (fractions allowed: {@code 0.5} is one
 *     request every two seconds); required
 * @param burst the bucket's size, >= 1; default {@code requestsPerSecond} rounded up
 * @param key what a bucket belongs to: {@code "ip"} (the client's address, the default) or
 *     {@code "header:NAME"} (the value of request header NAME; requests without it share one
 *     bucket)
 * @param scope where the buckets live; default {@link RateLimitScope#INSTANCE}
 */
public record RateLimitConfig(double requestsPerSecond, long burst, String key, RateLimitScope scope) {

  /** Default {@link #key()}. */
  public static final String DEFAULT_KEY = "ip";
  /** The prefix of a header key. */
  public static final String HEADER_KEY_PREFIX = "header:";
  /** Default {@link #scope()}. */
  public static final RateLimitScope DEFAULT_SCOPE = RateLimitScope.INSTANCE;

  /** Checks that no component is null. */
  public RateLimitConfig {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(scope, "scope");
  }

  /** A bucket of the default scope, {@code instance}. */
  public RateLimitConfig(double requestsPerSecond, long burst, String key) {
    this(requestsPerSecond, burst, key, DEFAULT_SCOPE);
  }

  /** The header a bucket is chosen by, or empty when buckets are per client address. */
  public Optional<String> keyHeader() {
    return key.startsWith(HEADER_KEY_PREFIX)
        ? Optional.of(key.substring(HEADER_KEY_PREFIX.length()))
        : Optional.empty();
  }
}
