package io.portcullis.config;

import java.util.Objects;

/**
 * Active health checking of an upstream's endpoints (JSON {@code healthCheck}, optional: without
 * it endpoints are judged by traffic alone).
 *
 * @param path the path probed with GET, absolute; default {@code "/health"}
 * @param intervalMs time between probes of one endpoint, >= 1; default {@code 5000}
 * @param timeoutMs time limit of one probe, >= 1 and below {@code intervalMs}; default
 *     {@code 1000}
 * @param unhealthyThreshold consecutive failed probes that mark an endpoint unhealthy, >= 1;
 *     default {@code 2}
 * @param healthyThreshold consecutive good probes that mark it healthy again, >= 1; default
 *     {@code 1}
 */
public record HealthCheckConfig(
    String path, long intervalMs, long timeoutMs, int unhealthyThreshold, int healthyThreshold) {

  /** Default {@link #path()}. */
  public static final String DEFAULT_PATH = "/health";
  /** Default {@link #intervalMs()}. */
  public static final long DEFAULT_INTERVAL_MS = 5_000L;
  /** Default {@link #timeoutMs()}. */
  public static final long DEFAULT_TIMEOUT_MS = 1_000L;
  /** Default {@link #unhealthyThreshold()}. */
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 2;
  /** Default {@link #healthyThreshold()}. */
  public static final int DEFAULT_HEALTHY_THRESHOLD = 1;

  /** Checks that no component is null. */
  public HealthCheckConfig {
    Objects.requireNonNull(path, "path");
  }

  /** The health check of an upstream whose {@code healthCheck} object is empty. */
  public static HealthCheckConfig defaults() {
    return new HealthCheckConfig(DEFAULT_PATH, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS,
        DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_HEALTHY_THRESHOLD);
  }
}
