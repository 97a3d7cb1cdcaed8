package io.portcullis.observe;

import java.time.Instant;

/**
 * Writes one access-log line (README "Logs"): a JSON object with the fields in a fixed order,
 * written by hand into a builder the calling thread reuses, the way Jackson (which Vert.x's
 * {@code JsonObject.encode()} uses) writes it: strings escaped as Jackson escapes them
 * ({@code \"}, {@code \\}, {@code \b \t \n \f \r} and {@code \}{@code u00XX} for the other control
 * characters; nothing else), {@code null} for absent values, and {@code ts} as
 * {@link Instant#toString()} writes it. Building a {@code JsonObject} (a map and its entries), the
 * ISO formatter behind {@code Instant.toString()} and the encoder cost more than the rest of the
 * line's journey to stdout.
 */
final class AccessLogLine {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final char[] LOWER_HEX = "0123456789abcdef".toCharArray();
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years ISO_INSTANT writes with four digits. */
  private static final long FIRST_SECOND = -62_167_219_200L;
  private static final long LAST_SECOND = 253_402_300_799L;

  private AccessLogLine() {
  }

  /** What one thread reuses: the builder, and the text of the last second it wrote a timestamp for. */
  private static final class Scratch {
    final StringBuilder line = new StringBuilder(320);
    long second = Long.MIN_VALUE;
    String secondText;
  }

  /**
   * The JSON line of one request, its fields in README "Logs" order ({@code null} for an absent
   * string: {@code endpoint} when no endpoint's answer was forwarded, {@code error} when the
   * gateway did not make the answer; {@code traceId} when both its halves are 0, tracing off). The
   * trace id is written as its 32 lower-case hex digits straight from its two halves.
   */
  static String format(Instant ts, String requestId, String method, String path, String route, int status,
                       long durationMs, String upstream, String endpoint, int attempts, String clientIp,
                       long bytesIn, long bytesOut, String error, long traceIdHigh, long traceIdLow) {
    Scratch scratch = SCRATCH.get();
    StringBuilder out = scratch.line;
    out.setLength(0);
    out.append("{\"ts\":\"");
    timestamp(scratch, ts);
    out.append("\",\"requestId\":");
    string(out, requestId);
    out.append(",\"method\":");
    string(out, method);
    out.append(",\"path\":");
    string(out, path);
    out.append(",\"route\":");
    string(out, route);
    out.append(",\"status\":").append(status);
    out.append(",\"durationMs\":").append(durationMs);
    out.append(",\"upstream\":");
    string(out, upstream);
    out.append(",\"endpoint\":");
    string(out, endpoint);
    out.append(",\"attempts\":").append(attempts);
    out.append(",\"clientIp\":");
    string(out, clientIp);
    out.append(",\"bytesIn\":").append(bytesIn);
    out.append(",\"bytesOut\":").append(bytesOut);
    out.append(",\"error\":");
    string(out, error);
    out.append(",\"traceId\":");
    traceId(out, traceIdHigh, traceIdLow);
    out.append('}');
    String line = out.toString();
    if (out.capacity() > 4096) {
      scratch.line.setLength(0);
      scratch.line.trimToSize(); // one very long path must not pin a large buffer to the thread
    }
    return line;
  }

  /** {@code ts} as {@link Instant#toString()} writes it; the date and time of day made once per second. */
  private static void timestamp(Scratch scratch, Instant ts) {
    StringBuilder out = scratch.line;
    long second = ts.getEpochSecond();
    if (second != scratch.second) {
      if (second < FIRST_SECOND || second > LAST_SECOND) {
        out.append(ts); // a year outside 0000..9999: the JDK's own text, not cached
        return;
      }
      String whole = Instant.ofEpochSecond(second).toString(); // "2026-12-05T19:05:01Z"
      scratch.second = second;
      scratch.secondText = whole.substring(0, whole.length() - 1);
    }
    out.append(scratch.secondText);
    fraction(out, ts.getNano());
  }

  /** The fraction of a second as ISO_INSTANT prints it: none, or 3, 6 or 9 digits; then {@code Z}. */
  private static void fraction(StringBuilder out, int nano) {
    if (nano != 0) {
      int digits;
      int value;
      if (nano % 1_000_000 == 0) {
        digits = 3;
        value = nano / 1_000_000;
      } else if (nano % 1_000 == 0) {
        digits = 6;
        value = nano / 1_000;
      } else {
        digits = 9;
        value = nano;
      }
      out.append('.');
      for (int p = pow10(digits - 1); p > 0; p /= 10) {
        out.append((char) ('0' + value / p % 10));
      }
    }
    out.append('Z');
  }

  private static int pow10(int n) {
    int p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  /** The trace id as a JSON string of 32 lower-case hex digits, or {@code null} when both halves are 0. */
  private static void traceId(StringBuilder out, long high, long low) {
    if (high == 0 && low == 0) {
      out.append("null");
      return;
    }
    out.append('"');
    hex(out, high);
    hex(out, low);
    out.append('"');
  }

  private static void hex(StringBuilder out, long value) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.append(LOWER_HEX[(int) (value >>> shift) & 0xF]);
    }
  }

  /** A JSON string (or {@code null}), escaped as Jackson escapes it. */
  static void string(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    int length = value.length();
    int clean = 0;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(value, clean, i);
      clean = i + 1;
      out.append('\\');
      switch (c) {
        case '"' -> out.append('"');
        case '\\' -> out.append('\\');
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(value, clean, length);
    out.append('"');
  }
}
