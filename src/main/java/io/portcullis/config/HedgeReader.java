package io.portcullis.config;

import java.util.Optional;

/**
 * Reads a route's {@code hedge} object. Whether the route may hedge at all (a proxy route without
 * WebSocket) is checked by the route's reader, and the delay against the route's timeout once the
 * deadline defaults are known ({@link Coherence}).
 */
final class HedgeReader {

  private HedgeReader() {}

  /** The hedge; empty if it has problems. */
  static Optional<HedgeConfig> read(Node node, Problems problems) {
    int mark = problems.mark();
    Fields f = Fields.open(node, problems, "delayMs", "percentile", "maxHedges");
    if (!f.isObject()) {
      return Optional.empty();
    }
    Long delayMs = f.integer("delayMs", null, Range.atLeast(1));
    Double percentile = percentile(f.get("percentile"), problems);
    if (f.has("delayMs") == f.has("percentile")) {
      problems.add(node.end(), "must have exactly one of \"delayMs\" or \"percentile\"");
    }
    int maxHedges = f.int32("maxHedges", HedgeConfig.DEFAULT_MAX_HEDGES, Range.within(1, 9));
    if (!problems.cleanSince(mark)) {
      return Optional.empty();
    }
    return Optional.of(delayMs != null
        ? HedgeConfig.afterDelay(delayMs, maxHedges)
        : HedgeConfig.atPercentile(percentile, maxHedges));
  }

  /** A number strictly between 0 and 100; null if absent or not one (a problem). */
  private static Double percentile(Node node, Problems problems) {
    if (!node.present()) {
      return null;
    }
    if (!(node.value() instanceof Number number)) {
      problems.add(node, "must be a number, got " + node.shown() + problems.substitutionHint(node));
      return null;
    }
    double value = number.doubleValue();
    if (!(value > 0 && value < 100)) {
      problems.add(node, "must be > 0 and < 100, got " + node.shown());
      return null;
    }
    return value;
  }
}
