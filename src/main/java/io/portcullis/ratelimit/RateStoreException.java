package io.portcullis.ratelimit;

/**
 * Why a decision was made by the local bucket rather than by Redis. Carries the cause when there is
 * one (Redis's error reply, the connection's failure); made without a stack trace, which would
 * only show the event loop.
 */
public final class RateStoreException extends RuntimeException {

  /** The kinds of fallback. */
  public enum Reason {
    /** No answer within {@code redis.timeoutMs}. */
    TIMEOUT,
    /** Too many calls already waiting for this connection's answers: not sent. */
    OVERLOADED,
    /** No connection: connecting, reconnecting after a failure, or the connection was lost. */
    UNAVAILABLE,
    /** Redis answered with an error. */
    ERROR_REPLY,
    /** Redis answered something that is not a wait (not a non-negative integer). */
    BAD_REPLY
  }

  private final Reason reason;

  /** A fallback for {@code reason}, with what Redis or the connection said. */
  public RateStoreException(Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }
}
