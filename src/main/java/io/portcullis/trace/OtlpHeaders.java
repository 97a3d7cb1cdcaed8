package io.portcullis.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The value of {@code OTEL_EXPORTER_OTLP_HEADERS} (and its traces-only variant): a comma-separated
 * list of {@code key=value} members, values percent-decoded, blanks around keys and values
 * ignored, as the OpenTelemetry SDK environment specification reads it. Parsing is all or nothing:
 * one bad member rejects the whole value, so that a half-read set of credentials is never sent.
 * Messages name the member and its key, never a value (values are usually credentials).
 */
final class OtlpHeaders {

  /**
   * Headers the exporter writes itself, or that the JDK's HTTP client refuses to let a caller set;
   * giving one would fail every export.
   */
  private static final Set<String> RESERVED =
      Set.of("connection", "content-length", "content-type", "expect", "host", "upgrade", "transfer-encoding", "te");
  /** RFC 9110 §5.6.2 tchar, apart from ALPHA and DIGIT. */
  private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

  private OtlpHeaders() {
  }

  /**
   * The headers in {@code value}, in the order given.
   *
   * @throws IllegalArgumentException naming the first problem (member number, and key when it is
   *     a valid name), never a value
   */
  static Map<String, String> parse(String value) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] members = value.split(",", -1);
    for (int i = 0; i < members.length; i++) {
      String member = trim(members[i]);
      if (member.isEmpty()) {
        continue; // an empty list member, as W3C Baggage allows
      }
      int eq = member.indexOf('=');
      String where = "member " + (i + 1);
      if (eq < 0) {
        throw new IllegalArgumentException(where + " has no '=' (expected key=value)");
      }
      String key = trim(member.substring(0, eq));
      if (!isToken(key)) {
        throw new IllegalArgumentException(where + " has a key that is not a header name");
      }
      where = where + " (" + key + ")";
      String lower = key.toLowerCase(Locale.ROOT);
      if (RESERVED.contains(lower)) {
        throw new IllegalArgumentException(where + " names a header the exporter sets itself");
      }
      if (headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(key))) {
        throw new IllegalArgumentException(where + " repeats a header given before");
      }
      String decoded = percentDecode(trim(member.substring(eq + 1)), where);
      headers.put(key, decoded);
    }
    return Collections.unmodifiableMap(headers);
  }

  /**
   * {@code %XX} sequences decoded; every other character kept ('+' included). The result must be
   * printable ASCII (space and tab included): other bytes do not travel reliably in an HTTP/1.1
   * header (RFC 9110 §5.5).
   */
  private static String percentDecode(String value, String where) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        int hi = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw new IllegalArgumentException(where + " has a '%' not followed by two hex digits in its value");
        }
        c = (char) (hi << 4 | lo);
        i += 2;
      }
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        throw new IllegalArgumentException(where + " has a character other than printable ASCII in its value");
      }
      out.append(c);
    }
    return out.toString();
  }

  /** {@code s} without the spaces and tabs around it (optional white space, RFC 9110 §5.6.3). */
  private static String trim(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
