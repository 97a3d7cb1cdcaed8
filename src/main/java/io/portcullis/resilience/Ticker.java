package io.portcullis.resilience;

/**
 * Monotonic time source, injectable so that tests can drive time by hand.
 *
 * <p>Only differences between two readings are meaningful, as with {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

  /**
   * Returns the current reading of this monotonic clock.
   *
   * @return nanoseconds since an arbitrary, fixed origin
   */
  long nanos();

  /**
   * Returns the production ticker backed by {@link System#nanoTime()}.
   *
   * @return the system ticker
   */
  static Ticker system() {
    return System::nanoTime;
  }
}
