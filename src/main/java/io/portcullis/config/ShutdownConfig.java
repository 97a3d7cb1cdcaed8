package io.portcullis.config;

/**
 * Graceful shutdown phases (JSON object {@code shutdown}, README "Signals and shutdown").
 *
 * @param drainMs how long to keep serving with {@code Connection: close} after readiness turns
 *     DOWN, >= 0; default {@code 5000}
 * @param graceMs how long to wait for in-flight requests once the listener is closed, >= 0;
 *     default {@code 25000}
 */
public record ShutdownConfig(long drainMs, long graceMs) {

  /** Default {@link #drainMs()}. */
  public static final long DEFAULT_DRAIN_MS = 5_000L;
  /** Default {@link #graceMs()}. */
  public static final long DEFAULT_GRACE_MS = 25_000L;

  /** The configuration used when the JSON has no {@code shutdown} object. */
  public static ShutdownConfig defaults() {
    return new ShutdownConfig(DEFAULT_DRAIN_MS, DEFAULT_GRACE_MS);
  }
}
