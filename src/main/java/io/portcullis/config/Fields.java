package io.portcullis.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the members of one JSON object of the configuration, recording a problem for each unknown
 * key, missing required member and value of the wrong type or out of range.
 *
 * <p>Every reader returns the default when the member is absent and also when it is invalid (the
 * problem is recorded), so parsing goes on and finds every problem; callers use
 * {@link Problems#mark()} to know whether what they built is sound. A {@code null} default makes a
 * member optional.
 */
final class Fields {

  /** Beyond any long: numbers larger than this are only compared, never expanded. */
  private static final BigDecimal HUGE = BigDecimal.TEN.pow(30);

  private final Node node;
  private final JsonObject object;
  private final Problems problems;

  private Fields(Node node, JsonObject object, Problems problems) {
    this.node = node;
    this.object = object;
    this.problems = problems;
  }

  /**
   * Opens {@code node} as an object with the given keys. An absent node reads as an empty object;
   * a node that is not an object is a problem and then also reads as empty.
   */
  static Fields open(Node node, Problems problems, String... keys) {
    if (!node.present()) {
      return new Fields(node, null, problems);
    }
    if (!(node.value() instanceof JsonObject object)) {
      problems.add(node, "must be an object, got " + node.shown() + problems.substitutionHint(node));
      return new Fields(node, null, problems);
    }
    Set<String> known = Set.of(keys);
    for (String key : object.fieldNames()) {
      if (!known.contains(key)) {
        problems.add(node.child(key), "unknown key");
      }
    }
    return new Fields(node, object, problems);
  }

  /** The object's own node. */
  Node node() {
    return node;
  }

  /** Whether the object is present and is an object. */
  boolean isObject() {
    return object != null;
  }

  /** Whether the member is present (even if JSON null or invalid). */
  boolean has(String key) {
    return object != null && object.containsKey(key);
  }

  /** The member's node (absent if not given). */
  Node get(String key) {
    return node.child(key);
  }

  /** A string member; {@code dflt} if absent or not a string. */
  String string(String key, String dflt) {
    Node member = get(key);
    return member.present() ? string(member, problems, dflt) : dflt;
  }

  /** A required string member; null (and a problem) if absent or not a string. */
  String requiredString(String key) {
    Node member = get(key);
    if (!member.present()) {
      problems.add(member, "required");
      return null;
    }
    return string(member, problems, null);
  }

  /** An integer member within {@code range}; {@code dflt} if absent or invalid. */
  Long integer(String key, Long dflt, Range range) {
    Node member = get(key);
    if (!member.present()) {
      return dflt;
    }
    Long value = integer(member, range, problems);
    return value != null ? value : dflt;
  }

  /** An int member within {@code range} (which must fit an int); {@code dflt} if absent or invalid. */
  Integer int32(String key, Integer dflt, Range range) {
    Long value = integer(key, dflt == null ? null : (long) dflt, range);
    return value == null ? null : value.intValue();
  }

  /**
   * A number member (integers accepted) in {@code min..max}, worded like {@link Range}; {@code dflt}
   * if absent or invalid.
   */
  Double number(String key, Double dflt, double min, double max, boolean between) {
    Node member = get(key);
    if (!member.present()) {
      return dflt;
    }
    if (!(member.value() instanceof Number number)) {
      problems.add(member, "must be a number, got " + member.shown() + problems.substitutionHint(member));
      return dflt;
    }
    double value = number.doubleValue();
    if (value < min || value > max) {
      String shown = member.shown();
      problems.add(member, between
          ? "must be between " + format(min) + " and " + format(max) + ", got " + shown
          : value < min ? "must be >= " + format(min) + ", got " + shown : "must be <= " + format(max) + ", got " + shown);
      return dflt;
    }
    return value;
  }

  /** A boolean member; {@code dflt} if absent or not a boolean. */
  Boolean bool(String key, Boolean dflt) {
    Node member = get(key);
    if (!member.present()) {
      return dflt;
    }
    if (member.value() instanceof Boolean value) {
      return value;
    }
    problems.add(member, "must be a boolean, got " + member.shown() + problems.substitutionHint(member));
    return dflt;
  }

  /**
   * A member holding one of {@code choices}, found by {@code jsonName}; {@code dflt} if absent or
   * not one of them ({@code must be one of "a", "b", got "c"}).
   */
  <E extends Enum<E>> E choice(String key, E dflt, E[] choices, Function<E, String> jsonName) {
    Node member = get(key);
    if (!member.present()) {
      return dflt;
    }
    for (E choice : choices) {
      if (jsonName.apply(choice).equals(member.value())) {
        return choice;
      }
    }
    String names = List.of(choices).stream()
        .map(choice -> '"' + jsonName.apply(choice) + '"')
        .collect(Collectors.joining(", "));
    problems.add(member, "must be one of " + names + ", got " + member.shown());
    return dflt;
  }

  /**
   * A set built from an array member, each element converted by {@code element} (which records
   * its own problems and returns null for a bad element); {@code dflt} if absent or invalid.
   */
  <T> Set<T> set(String key, Set<T> dflt, Function<Node, T> element) {
    List<Node> elements = elements(key);
    if (elements == null) {
      return dflt;
    }
    int mark = problems.mark();
    Set<T> values = new LinkedHashSet<>();
    for (Node item : elements) {
      T value = element.apply(item);
      if (value != null) {
        values.add(value);
      }
    }
    return problems.cleanSince(mark) ? values : dflt;
  }

  /** The element nodes of an array member; null if absent or not an array (a problem). */
  List<Node> elements(String key) {
    Node member = get(key);
    return member.present() ? elements(member, problems) : null;
  }

  // ---- conversions of single values, shared with array elements ----

  /** {@code node}'s string, or {@code dflt} and a problem if it is not a string. */
  static String string(Node node, Problems problems, String dflt) {
    if (node.value() instanceof String value) {
      return value;
    }
    problems.add(node, "must be a string, got " + node.shown());
    return dflt;
  }

  /** {@code node}'s integer in {@code range}, or null and a problem. */
  static Long integer(Node node, Range range, Problems problems) {
    BigInteger value = integral(node.value());
    if (value == null) {
      problems.add(node, "must be an integer, got " + node.shown() + problems.substitutionHint(node));
      return null;
    }
    String violation = range.violation(value, node.shown());
    if (violation != null) {
      problems.add(node, violation);
      return null;
    }
    return value.longValue();
  }

  /** The elements of the array at {@code node}, or null and a problem if it is not an array. */
  static List<Node> elements(Node node, Problems problems) {
    if (!(node.value() instanceof JsonArray array)) {
      problems.add(node, "must be an array, got " + node.shown() + problems.substitutionHint(node));
      return null;
    }
    List<Node> elements = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      elements.add(node.element(i));
    }
    return elements;
  }

  /** The value as an integer if it is an integral JSON number ({@code 3}, {@code 3.0}), else null. */
  private static BigInteger integral(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    if (value instanceof BigInteger big) {
      return big;
    }
    BigDecimal decimal;
    if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        return null;
      }
      decimal = BigDecimal.valueOf(d);
    } else if (value instanceof BigDecimal big) {
      decimal = big;
    } else {
      return null;
    }
    if (decimal.abs().compareTo(HUGE) > 0) {
      // Never expand 1e999999999 digit by digit: any bound is exceeded anyway.
      return decimal.signum() < 0 ? HUGE.toBigInteger().negate() : HUGE.toBigInteger();
    }
    // Not toBigIntegerExact: its exception for every fraction is costly by the hundred thousand.
    BigDecimal stripped = decimal.stripTrailingZeros();
    return stripped.scale() > 0 ? null : stripped.toBigInteger();
  }

  /** A bound as written by a person: {@code 1}, not {@code 1.0}. */
  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}
