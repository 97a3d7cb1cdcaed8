package io.portcullis.http;

/**
 * A failure that maps to one {@link GatewayError}. Thrown or failed into futures along the
 * request path; turned into a response in exactly one place.
 */
public final class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final GatewayError error;
  private final long retryAfterSeconds;

  /** A gateway failure with a message for the client. */
  public GatewayException(GatewayError error, String message) {
    this(error, message, -1, null);
  }

  /** A gateway failure carrying a cause (kept for logs, never sent to the client). */
  public GatewayException(GatewayError error, String message, Throwable cause) {
    this(error, message, -1, cause);
  }

  /** A gateway failure with a {@code Retry-After} value in whole seconds ({@code -1}: none). */
  public GatewayException(GatewayError error, String message, long retryAfterSeconds, Throwable cause) {
    super(message, cause, false, false);
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The error to answer with. */
  public GatewayError error() {
    return error;
  }

  /** Seconds for the {@code Retry-After} header, or {@code -1} for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
