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
   * Returns a reading taken now, never one shared with other readers: for a plain ticker the same
   * as {@link #nanos()}; an {@link EventClock} reads its source even inside an event.
   *
   * @return nanoseconds since the same origin as {@link #nanos()}
   */
  default long fresh() {
    return nanos();
  }

  /**
   * Returns the production ticker backed by {@link System#nanoTime()}.
   *
   * @return the system ticker
   */
  static Ticker system() {
    return System::nanoTime;
  }
}
