package io.portcullis.config;

import java.math.BigInteger;

/**
 * Bounds of an integer option and how a violation is worded: either
 * {@code must be between MIN and MAX, got V} or the one-sided {@code must be >= MIN, got V} /
 * {@code must be <= MAX, got V}.
 */
record Range(long min, long max, boolean between) {

  /** {@code >= min}, up to the largest long. */
  static Range atLeast(long min) {
    return new Range(min, Long.MAX_VALUE, false);
  }

  /** {@code >= min}, for an option held in an {@code int}. */
  static Range intAtLeast(int min) {
    return new Range(min, Integer.MAX_VALUE, false);
  }

  /** {@code min..max}, each side worded on its own ({@code must be >= 1}, {@code must be <= 10}). */
  static Range within(long min, long max) {
    return new Range(min, max, false);
  }

  /** {@code min..max}, worded {@code must be between min and max}. */
  static Range between(long min, long max) {
    return new Range(min, max, true);
  }

  /** The problem with {@code value} (shown as {@code shown}), or null if it is in range. */
  String violation(BigInteger value, String shown) {
    boolean low = value.compareTo(BigInteger.valueOf(min)) < 0;
    boolean high = value.compareTo(BigInteger.valueOf(max)) > 0;
    if (!low && !high) {
      return null;
    }
    if (between) {
      return "must be between " + min + " and " + max + ", got " + shown;
    }
    return low ? "must be >= " + min + ", got " + shown : "must be <= " + max + ", got " + shown;
  }
}
