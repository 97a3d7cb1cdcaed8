package io.portcullis.config;

import java.util.OptionalInt;

/**
 * Reads an upstream's {@code concurrency} and {@code pool} objects: how much traffic it is sent
 * at once.
 */
final class OverloadReader {

  private static final Range POSITIVE_INT = Range.intAtLeast(1);

  private final Problems problems;

  OverloadReader(Problems problems) {
    this.problems = problems;
  }

  /**
   * {@code concurrency}; null if it has problems. Values given must satisfy
   * {@code min <= initial <= max}; a default not given is held within the bounds given. Except
   * with {@code mode: "fixed"}, which uses {@code max} only: there {@code initial} and {@code min}
   * need only be positive integers, and are held within {@code max} unchecked.
   */
  ConcurrencyConfig concurrency(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "mode", "initial", "min", "max");
    ConcurrencyMode mode =
        f.choice("mode", ConcurrencyConfig.DEFAULT_MODE, ConcurrencyMode.values(), ConcurrencyMode::jsonName);
    int maxMark = problems.mark();
    int max = f.int32("max", ConcurrencyConfig.DEFAULT_MAX, POSITIVE_INT);
    boolean maxValid = problems.cleanSince(maxMark);
    // fixed uses max only; off uses nothing, but its values are the ones adaptive would take.
    boolean related = mode != ConcurrencyMode.FIXED;
    int minMark = problems.mark();
    Integer givenMin = f.int32("min", null, POSITIVE_INT);
    int min;
    if (givenMin == null) {
      min = Math.min(ConcurrencyConfig.DEFAULT_MIN, max);
    } else {
      min = related ? givenMin : Math.min(givenMin, max);
      if (related && maxValid && min > max) {
        problems.add(f.get("min"), "must be <= max " + max + (f.has("max") ? "" : " (default)") + ", got " + min);
      }
    }
    boolean minValid = problems.cleanSince(minMark);
    Integer givenInitial = f.int32("initial", null, POSITIVE_INT);
    int initial;
    if (givenInitial == null) {
      initial = Math.max(min, Math.min(ConcurrencyConfig.DEFAULT_INITIAL, max));
    } else {
      initial = related ? givenInitial : Math.max(min, Math.min(givenInitial, max));
      if (related && maxValid && minValid && (initial < min || initial > max)) {
        problems.add(f.get("initial"), "must be between min " + min + " and max " + max + ", got " + initial);
      }
    }
    return problems.cleanSince(mark) ? new ConcurrencyConfig(mode, initial, min, max) : null;
  }

  /** {@code pool}; null if it has problems. */
  PoolConfig pool(Node node) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "maxConnections", "maxPending");
    int maxConnections = f.int32("maxConnections", PoolConfig.DEFAULT_MAX_CONNECTIONS, POSITIVE_INT);
    Integer maxPending = f.int32("maxPending", null, Range.intAtLeast(0));
    if (!problems.cleanSince(mark)) {
      return null;
    }
    return new PoolConfig(maxConnections, maxPending == null ? OptionalInt.empty() : OptionalInt.of(maxPending));
  }
}
