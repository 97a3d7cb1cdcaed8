package io.portcullis.observe;

/**
 * The {@code method} label of {@code portcullis_requests_total}: the methods of RFC 9110 §9 and
 * PATCH (RFC 5789) by name, and {@code _OTHER} for anything else, so that a client inventing
 * methods cannot grow the label space. Methods are case-sensitive (RFC 9110 §9.1): {@code get} is
 * {@code _OTHER}.
 */
final class MethodLabel {

  /** The label of every method not listed. */
  static final String OTHER = "_OTHER";
  private static final String[] NAMES =
      {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", OTHER};

  private MethodLabel() {
  }

  /** How many labels there are. */
  static int count() {
    return NAMES.length;
  }

  /** The index of {@code method}'s label (a switch on the name: no allocation). */
  static int index(String method) {
    if (method == null) {
      return NAMES.length - 1;
    }
    return switch (method) {
      case "GET" -> 0;
      case "HEAD" -> 1;
      case "POST" -> 2;
      case "PUT" -> 3;
      case "DELETE" -> 4;
      case "CONNECT" -> 5;
      case "OPTIONS" -> 6;
      case "TRACE" -> 7;
      case "PATCH" -> 8;
      default -> NAMES.length - 1;
    };
  }

  /** The label at {@code index}. */
  static String name(int index) {
    return NAMES[index];
  }
}
