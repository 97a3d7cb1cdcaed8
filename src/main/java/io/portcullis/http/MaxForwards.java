package io.portcullis.http;

/**
 * The {@code Max-Forwards} header (RFC 9110 §7.6.2): {@code Max-Forwards = 1*DIGIT}, the number of
 * times an {@code OPTIONS} (or {@code TRACE}) request may still be forwarded. A gateway that
 * receives 0 answers itself; otherwise it forwards the value minus one.
 *
 * <p>Pure functions, no allocation but the decremented value's text. A value that is not
 * {@code 1*DIGIT} after trimming optional whitespace (a sign, a fraction, a list of two values, an
 * empty field) is {@link #INVALID}: the gateway then leaves the header as it came, because it is
 * not its to repair and the RFC lets a recipient ignore it. Values beyond {@link Long#MAX_VALUE}
 * are taken as {@link Long#MAX_VALUE}; no request gets anywhere near that many hops, so the
 * forwarded value is the same in effect.
 */
public final class MaxForwards {

  /** The header's name. */
  public static final String NAME = "Max-Forwards";
  /** {@link #parse} result: no header. */
  public static final long ABSENT = -1;
  /** {@link #parse} result: a header that is not {@code 1*DIGIT}. */
  public static final long INVALID = -2;

  private MaxForwards() {
  }

  /**
   * The header's value.
   *
   * @param value the field value, or null when the request has none
   * @return the value ({@code >= 0}), {@link #ABSENT} or {@link #INVALID}
   */
  public static long parse(CharSequence value) {
    if (value == null) {
      return ABSENT;
    }
    int from = 0;
    int to = value.length();
    while (from < to && isWhitespace(value.charAt(from))) {
      from++;
    }
    while (to > from && isWhitespace(value.charAt(to - 1))) {
      to--;
    }
    if (from == to) {
      return INVALID;
    }
    long result = 0;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return INVALID;
      }
      int digit = c - '0';
      if (result > (Long.MAX_VALUE - digit) / 10) {
        result = Long.MAX_VALUE; // keep checking the remaining characters are digits
      } else {
        result = result * 10 + digit;
      }
    }
    return result;
  }

  /**
   * Whether the gateway itself answers the request: a parsed value of 0.
   *
   * @param parsed a {@link #parse} result
   */
  public static boolean answerHere(long parsed) {
    return parsed == 0;
  }

  /**
   * The value to send upstream for a request that carried {@code parsed}.
   *
   * @param parsed a {@link #parse} result
   * @return {@code parsed - 1} as text when {@code parsed >= 1}; null when the header is to be left
   *     as it came ({@link #ABSENT}, {@link #INVALID}); never called for 0, which is answered here
   * @throws IllegalArgumentException for 0 ({@link #answerHere})
   */
  public static String forwarded(long parsed) {
    if (parsed == 0) {
      throw new IllegalArgumentException("Max-Forwards 0 is answered by the gateway, not forwarded");
    }
    return parsed > 0 ? Long.toString(parsed - 1) : null;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
