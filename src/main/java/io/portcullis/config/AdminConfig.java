package io.portcullis.config;

import java.util.Objects;

/**
 * The admin listener serving health, metrics and {@code /admin/*} (JSON object {@code admin}).
 *
 * @param host address to bind; default {@code "127.0.0.1"} (loopback only)
 * @param port port to bind, 0..65535 ({@code 0} picks a free port); must differ from
 *     {@code server.port} unless either is 0; default {@code 9901}
 */
public record AdminConfig(String host, int port) {

  /** Default {@link #host()}: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default {@link #port()}. */
  public static final int DEFAULT_PORT = 9901;

  /** Checks that no component is null. */
  public AdminConfig {
    Objects.requireNonNull(host, "host");
  }

  /** The configuration used when the JSON has no {@code admin} object. */
  public static AdminConfig defaults() {
    return new AdminConfig(DEFAULT_HOST, DEFAULT_PORT);
  }
}
