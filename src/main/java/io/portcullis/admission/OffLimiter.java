package io.portcullis.admission;

/** Mode {@code off}: admits everything, counts nothing, allocates nothing. */
final class OffLimiter implements ConcurrencyLimiter {

  static final OffLimiter INSTANCE = new OffLimiter();

  private OffLimiter() {
  }

  @Override
  public Permit tryAcquire() {
    return Permit.UNCOUNTED;
  }

  @Override
  public int limit() {
    return UNLIMITED;
  }

  @Override
  public int inFlight() {
    return NOT_COUNTED;
  }

  @Override
  public Mode mode() {
    return Mode.OFF;
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[off]";
  }
}
