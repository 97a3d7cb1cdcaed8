package io.portcullis.admission;

/**
 * The right to send one request upstream, handed out by {@link ConcurrencyLimiter#tryAcquire()}.
 *
 * <p>An admitted permit must be completed exactly once, by exactly one of {@link #onSuccess},
 * {@link #onDropped} or {@link #onIgnore}, when the upstream exchange is over (response fully
 * received, or the attempt reset); that returns its slot. A limiter hands the same permit object
 * to every request it admits, so a permit holds no per-request state and acquiring one allocates
 * nothing: the caller keeps the permit with its exchange and must not complete it twice.
 *
 * <p>Which completion to use:
 * <ul>
 *   <li>{@link #onSuccess}: the upstream answered with a status below 500. Its latency — the
 *       time from sending the request to receiving the response head — is the sample the
 *       adaptive limit learns from.</li>
 *   <li>{@link #onDropped}: the upstream did not answer in time or broke the exchange (deadline or
 *       per-try timeout, connection reset by the upstream). The adaptive limit shrinks.</li>
 *   <li>{@link #onIgnore}: the exchange tells nothing about queueing: a 5xx answer (failures are
 *       often fast and would pull the no-load latency down; failing upstreams are the breaker's
 *       business), the client went away, a hedge lost to another attempt, the request failed
 *       before it was sent (connect refused). Only the slot is returned.</li>
 * </ul>
 *
 * <p>Times are readings of the caller's {@link io.portcullis.resilience.Ticker}, so the limiter
 * reads no clock of its own.
 */
public interface Permit {

  /** What a full limiter answers: not admitted; its completions do nothing. */
  Permit REJECTED = new Permit() {
    @Override
    public boolean admitted() {
      return false;
    }

    @Override
    public void onSuccess(long sentNanos, long headNanos) {
    }

    @Override
    public void onDropped(long nowNanos) {
    }

    @Override
    public void onIgnore() {
    }

    @Override
    public String toString() {
      return "Permit.REJECTED";
    }
  };

  /** What a limiter in mode {@code off} answers: admitted, nothing counted, completions do nothing. */
  Permit UNCOUNTED = new Permit() {
    @Override
    public boolean admitted() {
      return true;
    }

    @Override
    public void onSuccess(long sentNanos, long headNanos) {
    }

    @Override
    public void onDropped(long nowNanos) {
    }

    @Override
    public void onIgnore() {
    }

    @Override
    public String toString() {
      return "Permit.UNCOUNTED";
    }
  };

  /**
   * Whether the request may be sent; {@code false} means the limit was reached: answer 503
   * {@code overloaded} without sending anything.
   *
   * @return whether this permit admits the request
   */
  boolean admitted();

  /**
   * The upstream answered: returns the slot and feeds one latency sample to the limit, {@code
   * headNanos - sentNanos}. Call it when the exchange is over (the body may have taken longer).
   *
   * @param sentNanos ticker reading when the request was sent (when it was admitted, at the latest)
   * @param headNanos ticker reading when the response head arrived
   */
  void onSuccess(long sentNanos, long headNanos);

  /**
   * The upstream timed out or broke the exchange: returns the slot and tells the limit to shrink.
   *
   * @param nowNanos the current ticker reading
   */
  void onDropped(long nowNanos);

  /** The exchange says nothing about the upstream: returns the slot only. */
  void onIgnore();
}
