package io.portcullis.trace;

import java.util.List;

/**
 * Validation of the {@code tracestate} header (W3C Trace Context §3.3). The gateway forwards it
 * unchanged when it is valid and drops it otherwise: the specification lets a vendor that
 * cannot keep the list intact discard it rather than pass on a broken one.
 */
public final class TraceState {

  /** The header name (lower case, as the specification writes it). */
  public static final String HEADER = "tracestate";
  /** Longest value forwarded (§3.3.1.1: vendors propagate at least 512 characters). */
  public static final int MAX_LENGTH = 512;
  /** Most list-members allowed (§3.3.1.1). */
  public static final int MAX_MEMBERS = 32;

  private TraceState() {
  }

  /**
   * The value to forward for the {@code tracestate} header lines {@code values} (several lines
   * are one list, joined with commas, RFC 9110 §5.3), or {@code null} to drop it: when there is
   * none or it is blank, when it is longer than {@link #MAX_LENGTH}, or when it is malformed (a bad key or
   * value, more than {@link #MAX_MEMBERS} members, or a key twice).
   */
  public static String forwardable(List<String> values) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    String value = values.size() == 1 ? values.get(0) : String.join(",", values);
    return !value.isBlank() && value.length() <= MAX_LENGTH && isValid(value) ? value : null;
  }

  /** Whether {@code value} is a well-formed {@code tracestate} list (§3.3.1). */
  public static boolean isValid(String value) {
    int members = 0;
    int[] keyStarts = new int[MAX_MEMBERS];
    int[] keyEnds = new int[MAX_MEMBERS];
    int i = 0;
    int n = value.length();
    while (i <= n) {
      int end = value.indexOf(',', i);
      if (end < 0) {
        end = n;
      }
      int from = skipBlanks(value, i, end);
      int to = trimBlanks(value, from, end);
      if (from < to) { // an empty member (only OWS) is allowed and ignored
        int eq = value.indexOf('=', from);
        if (eq < 0 || eq >= to || !isKey(value, from, eq) || !isValue(value, eq + 1, to)) {
          return false;
        }
        if (members == MAX_MEMBERS) {
          return false;
        }
        for (int m = 0; m < members; m++) {
          if (keyEnds[m] - keyStarts[m] == eq - from
              && value.regionMatches(keyStarts[m], value, from, eq - from)) {
            return false;
          }
        }
        keyStarts[members] = from;
        keyEnds[members] = eq;
        members++;
      }
      i = end + 1;
    }
    return true;
  }

  private static int skipBlanks(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    return from;
  }

  private static int trimBlanks(String s, int from, int to) {
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return to;
  }

  /**
   * {@code simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")}, or
   * {@code tenant-id "@" system-id} with a tenant of 1..241 such characters starting with
   * lcalpha or DIGIT and a system id of 1..14 starting with lcalpha.
   */
  private static boolean isKey(String s, int from, int to) {
    int at = s.indexOf('@', from);
    if (at < 0 || at >= to) {
      return to - from >= 1 && to - from <= 256 && isLcAlpha(s.charAt(from)) && keyChars(s, from + 1, to);
    }
    int tenant = at - from;
    int system = to - at - 1;
    return tenant >= 1 && tenant <= 241 && (isLcAlpha(s.charAt(from)) || isDigit(s.charAt(from)))
        && keyChars(s, from + 1, at)
        && system >= 1 && system <= 14 && isLcAlpha(s.charAt(at + 1)) && keyChars(s, at + 2, to);
  }

  private static boolean keyChars(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/')) {
        return false;
      }
    }
    return true;
  }

  /** {@code value = 0*255(chr) nblk-chr}: printable ASCII but {@code ','} and {@code '='}, no trailing space. */
  private static boolean isValue(String s, int from, int to) {
    if (to - from < 1 || to - from > 256 || s.charAt(to - 1) == ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLcAlpha(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
