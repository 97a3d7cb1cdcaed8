package io.portcullis.resilience;

import java.util.Objects;

/**
 * What one attempt came to, as the retry operator sees it.
 *
 * @param kind what happened
 * @param status the HTTP status for {@link Kind#RESPONSE}, {@code 0} for every other kind
 */
public record Outcome(Kind kind, int status) {

  private static final Outcome CONNECT_FAILURE = new Outcome(Kind.CONNECT_FAILURE, 0);
  private static final Outcome RESET = new Outcome(Kind.RESET, 0);
  private static final Outcome PER_TRY_TIMEOUT = new Outcome(Kind.PER_TRY_TIMEOUT, 0);
  private static final Outcome CIRCUIT_OPEN = new Outcome(Kind.CIRCUIT_OPEN, 0);
  private static final Outcome CANCELLED = new Outcome(Kind.CANCELLED, 0);
  private static final Outcome OTHER_FAILURE = new Outcome(Kind.OTHER_FAILURE, 0);

  /**
   * Validates the fields.
   *
   * @param kind what happened
   * @param status the HTTP status for a response, else {@code 0}
   */
  public Outcome {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.RESPONSE) {
      if (status < 100 || status > 999) {
        throw new IllegalArgumentException("status: " + status + " (expected: 100..999)");
      }
    } else if (status != 0) {
      throw new IllegalArgumentException("status: " + status + " (expected: 0 for " + kind + ")");
    }
  }

  /**
   * An upstream response. Its {@code Retry-After}, if any, plays no part: the sleep before a
   * retry is the backoff alone (CONTRACT §5), and the header reaches the client with the answer
   * when no retry follows.
   *
   * @param status the HTTP status, 100..999
   * @return the outcome
   */
  public static Outcome response(int status) {
    return new Outcome(Kind.RESPONSE, status);
  }

  /**
   * The connection could not be established: no byte reached the upstream.
   *
   * @return the outcome
   */
  public static Outcome connectFailure() {
    return CONNECT_FAILURE;
  }

  /**
   * The connection or stream was reset before a response was complete.
   *
   * @return the outcome
   */
  public static Outcome reset() {
    return RESET;
  }

  /**
   * The attempt exceeded the per-try timeout.
   *
   * @return the outcome
   */
  public static Outcome perTryTimeout() {
    return PER_TRY_TIMEOUT;
  }

  /**
   * The endpoint's circuit breaker refused the attempt without contacting it.
   *
   * @return the outcome
   */
  public static Outcome circuitOpen() {
    return CIRCUIT_OPEN;
  }

  /**
   * The attempt was cancelled (deadline passed, client gone).
   *
   * @return the outcome
   */
  public static Outcome cancelled() {
    return CANCELLED;
  }

  /**
   * Any other failure.
   *
   * @return the outcome
   */
  public static Outcome otherFailure() {
    return OTHER_FAILURE;
  }

  /**
   * Returns the metric label of this outcome: {@code connect-failure}, {@code reset},
   * {@code per-try-timeout}, {@code circuit-open}, {@code cancelled}, {@code other}, or the
   * status for a response (e.g. {@code 503}).
   *
   * @return the label
   */
  public String label() {
    return kind == Kind.RESPONSE ? Integer.toString(status) : kind.label;
  }

  /** What kind of thing happened to an attempt. */
  public enum Kind {
    /** The upstream answered with a status. */
    RESPONSE(null),
    /** The connection could not be established. */
    CONNECT_FAILURE("connect-failure"),
    /** The connection or stream was reset. */
    RESET("reset"),
    /** The per-try timeout fired. */
    PER_TRY_TIMEOUT("per-try-timeout"),
    /** The circuit breaker refused the attempt. */
    CIRCUIT_OPEN("circuit-open"),
    /** The attempt was cancelled. */
    CANCELLED("cancelled"),
    /** Any other failure. */
    OTHER_FAILURE("other");

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }
}
