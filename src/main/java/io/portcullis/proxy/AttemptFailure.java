package io.portcullis.proxy;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.resilience.Outcome;

/**
 * Why one upstream attempt failed, already classified for the retry operator and the breaker.
 * Carries no stack trace: it is control flow, its cause is kept for the log.
 */
public final class AttemptFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Outcome outcome;

  AttemptFailure(Outcome outcome, String message, Throwable cause) {
    super(message, cause, false, false);
    this.outcome = outcome;
  }

  /** The classified outcome. */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * Whether the upstream failed to answer once the request was sent (a reset or a per-try
   * timeout): a concurrency limit learns from it that the upstream is overloaded.
   */
  public boolean isDrop() {
    Outcome.Kind k = outcome.kind();
    return k == Outcome.Kind.RESET || k == Outcome.Kind.PER_TRY_TIMEOUT;
  }

  /**
   * Whether the attempt was shed before anything was sent: the connection pool's wait queue was
   * full ({@code pool.maxPending}). Not an attempt for the endpoint's failures, the attempt
   * metrics or the access log's {@code attempts}.
   */
  public boolean isShed() {
    return getCause() instanceof GatewayException g && g.error() == GatewayError.OVERLOADED;
  }

  /** Whether the breaker counts it: connect failure, reset or per-try timeout. */
  boolean isBreakerFailure() {
    Outcome.Kind k = outcome.kind();
    return k == Outcome.Kind.CONNECT_FAILURE || k == Outcome.Kind.RESET || k == Outcome.Kind.PER_TRY_TIMEOUT;
  }
}
