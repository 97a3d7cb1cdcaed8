package io.portcullis.config;

/**
 * Hot reload of the configuration file (JSON object {@code reload}). A reload is also asked for by
 * {@code SIGHUP} and by {@code POST /admin/reload}, whatever these settings say.
 *
 * @param watch whether the file is polled for changes (its content, read through any symlink, so a
 *     Kubernetes ConfigMap's symlink swap is seen); default {@code true}
 * @param pollMs how often the file is polled, >= 100; default {@code 1000}
 */
public record ReloadConfig(boolean watch, long pollMs) {

  /** Default {@link #watch()}. */
  public static final boolean DEFAULT_WATCH = true;
  /** Default {@link #pollMs()}. */
  public static final long DEFAULT_POLL_MS = 1_000L;

  /** The configuration used when the JSON has no {@code reload} object. */
  public static ReloadConfig defaults() {
    return new ReloadConfig(DEFAULT_WATCH, DEFAULT_POLL_MS);
  }
}
