package io.portcullis.trace;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * A parsed {@code traceparent} header (W3C Trace Context §3.2): trace id (two longs), parent
 * (span) id and trace flags. Parsing is strict and allocation-free until the record itself:
 * lower-case hex only, no all-zero id, version {@code ff} refused; version {@code 00} must be
 * exactly 55 characters; a higher version is read by its first four fields and may carry more
 * after a {@code '-'} (§3.2.4, "versioning of traceparent").
 *
 * @param traceIdHigh the first 16 hex digits of the trace id
 * @param traceIdLow the last 16 hex digits of the trace id
 * @param parentId the caller's span id, never 0
 * @param flags the trace flags byte (bit 0: sampled)
 */
public record TraceParent(long traceIdHigh, long traceIdLow, long parentId, int flags) {

  /** The header name (lower case, as the specification writes it). */
  public static final String HEADER = "traceparent";
  /** Flag bit 0: the caller may have recorded the trace (§3.2.2.5.1). */
  public static final int SAMPLED = 0x01;
  /** Length of a version-00 header: {@code 2 + 1 + 32 + 1 + 16 + 1 + 2}. */
  public static final int LENGTH = 55;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Whether the sampled flag is set. */
  public boolean sampled() {
    return (flags & SAMPLED) != 0;
  }

  /**
   * Parses {@code value}; {@code null} when it is absent or invalid in any way, in which case
   * the specification says to start a new trace (and to ignore {@code tracestate}).
   */
  public static TraceParent parse(CharSequence value) {
    if (value == null || value.length() < LENGTH) {
      return null;
    }
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff || value.charAt(2) != '-' || value.charAt(35) != '-'
        || value.charAt(52) != '-') {
      return null;
    }
    if (version == 0 ? value.length() != LENGTH : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
      return null;
    }
    int flags = hexByte(value, 53);
    if (flags < 0 || !isHex(value, 3, 32) || !isHex(value, 36, 16)) {
      return null;
    }
    long high = hexLong(value, 3);
    long low = hexLong(value, 19);
    long parent = hexLong(value, 36);
    if ((high == 0 && low == 0) || parent == 0) {
      return null;
    }
    return new TraceParent(high, low, parent, flags);
  }

  /** The header value for these ids: {@code 00-<trace id>-<parentId>-<flags>}. */
  public static String format(long traceIdHigh, long traceIdLow, long parentId, int flags) {
    return new String(bytes(traceIdHigh, traceIdLow, parentId, flags), StandardCharsets.ISO_8859_1);
  }

  /**
   * {@link #format} as an {@link AsciiString} over the one array it is written into: what goes
   * into an upstream request's headers, which Netty writes out byte for byte (no string copy).
   */
  public static AsciiString formatAscii(long traceIdHigh, long traceIdLow, long parentId, int flags) {
    return new AsciiString(bytes(traceIdHigh, traceIdLow, parentId, flags), false);
  }

  private static byte[] bytes(long traceIdHigh, long traceIdLow, long parentId, int flags) {
    byte[] out = new byte[LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    writeHex(out, 3, traceIdHigh);
    writeHex(out, 19, traceIdLow);
    out[35] = '-';
    writeHex(out, 36, parentId);
    out[52] = '-';
    out[53] = HEX[(flags >> 4) & 0xf];
    out[54] = HEX[flags & 0xf];
    return out;
  }

  /** This header in version-00 form. */
  public String format() {
    return format(traceIdHigh, traceIdLow, parentId, flags);
  }

  /** The 32 lower-case hex digits of a trace id. */
  public static String traceIdHex(long high, long low) {
    byte[] out = new byte[32];
    writeHex(out, 0, high);
    writeHex(out, 16, low);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** The 16 lower-case hex digits of a span id. */
  public static String spanIdHex(long id) {
    byte[] out = new byte[16];
    writeHex(out, 0, id);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static void writeHex(byte[] out, int at, long value) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  private static boolean isHex(CharSequence s, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (digit(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The 16 hex digits at {@code from} (already checked) as a long. */
  private static long hexLong(CharSequence s, int from) {
    long v = 0;
    for (int i = from; i < from + 16; i++) {
      v = (v << 4) | digit(s.charAt(i));
    }
    return v;
  }

  private static int hexByte(CharSequence s, int at) {
    int hi = digit(s.charAt(at));
    int lo = digit(s.charAt(at + 1));
    return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
  }

  /** A lower-case hex digit's value; -1 for anything else (upper case included, §3.2.2). */
  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
