package io.portcullis.admission;

import java.util.concurrent.atomic.AtomicInteger;

/** The one admission step shared by the counting limiters. */
final class Admission {

  private Admission() {
  }

  /**
   * Increments {@code inFlight} if it is below {@code limit}, by compare-and-set, so that two
   * threads can never both take the last slot.
   *
   * @return whether the slot was taken
   */
  static boolean tryIncrement(AtomicInteger inFlight, int limit) {
    while (true) {
      int current = inFlight.get();
      if (current >= limit) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }
}
