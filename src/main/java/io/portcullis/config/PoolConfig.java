package io.portcullis.config;

import java.util.OptionalInt;

/**
 * Each event loop's connection pool to one upstream (JSON object {@code upstreams.NAME.pool}).
 *
 * @param maxConnections the most connections one event loop keeps open to the upstream, >= 1;
 *     default {@code 512}
 * @param maxPending the most requests one event loop lets wait for a connection, >= 0; a request
 *     that would wait beyond it gets 503 {@code overloaded}. Empty (the default, the key absent)
 *     means unbounded
 */
public record PoolConfig(int maxConnections, OptionalInt maxPending) {

  /** Default {@link #maxConnections()}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 512;
  /** The Vert.x {@code PoolOptions.setMaxWaitQueueSize} value for an unbounded queue. */
  public static final int VERTX_UNBOUNDED = -1;

  /** Checks the bounds: {@code maxConnections >= 1}, {@code maxPending >= 0} when given. */
  public PoolConfig {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    if (maxPending.isPresent() && maxPending.getAsInt() < 0) {
      throw new IllegalArgumentException("maxPending must be >= 0, got " + maxPending.getAsInt());
    }
  }

  /** The configuration used when an upstream has no {@code pool} object: 512 connections, no queue bound. */
  public static PoolConfig defaults() {
    return new PoolConfig(DEFAULT_MAX_CONNECTIONS, OptionalInt.empty());
  }

  /** {@link #maxPending()} as Vert.x's wait-queue size: {@value #VERTX_UNBOUNDED} when unbounded. */
  public int maxPendingOrUnbounded() {
    return maxPending.orElse(VERTX_UNBOUNDED);
  }
}
