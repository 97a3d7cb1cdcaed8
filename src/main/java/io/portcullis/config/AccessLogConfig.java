package io.portcullis.config;

/**
 * The JSON access log on stdout (JSON object {@code accessLog}, README "Logs").
 *
 * @param enabled whether one line is written per request; default {@code true}
 */
public record AccessLogConfig(boolean enabled) {

  /** Default {@link #enabled()}. */
  public static final boolean DEFAULT_ENABLED = true;

  /** The configuration used when the JSON has no {@code accessLog} object. */
  public static AccessLogConfig defaults() {
    return new AccessLogConfig(DEFAULT_ENABLED);
  }
}
