package io.portcullis.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ByteProcessor;

/**
 * Checks the raw bytes of one request head (optional empty lines, the request line, the field
 * lines and the final empty line) for what Netty's decoder tolerates but a gateway must refuse
 * (RFC 9112 §2.2, §3, §5):
 * <ul>
 *   <li>a line not ended by CRLF: a bare LF, or a bare CR anywhere;</li>
 *   <li>a control character (NUL, VT, FF, DEL, ...) anywhere;</li>
 *   <li>a request line other than {@code method SP target SP version} (HTAB or repeated SP as a
 *       separator, trailing whitespace);</li>
 *   <li>obs-fold: a field line starting with SP or HTAB (Netty silently joins it to the previous
 *       field's value);</li>
 *   <li>field lines (each counted with its CRLF) longer in total than {@code maxFieldBytes}:
 *       Netty does not count line endings, so a section of many short lines could exceed the
 *       configured limit on the wire.</li>
 * </ul>
 * Fed incrementally, in order, with the bytes the decoder consumed while reading a head; constant
 * state, no allocation until the first violation, which stops the scan.
 */
public final class HeadScanner implements ByteProcessor {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte SP = ' ';
  private static final byte HTAB = '\t';

  private final int maxFieldBytes;

  private boolean requestLineDone;
  private boolean lineEmpty;
  private boolean lineStart;
  private byte prev;
  private byte beforeCr;
  private int separators;
  private int lineBytes;
  private long fieldBytes;
  private Exception violation;

  /** A scanner whose field section may hold at most {@code maxFieldBytes} bytes. */
  public HeadScanner(int maxFieldBytes) {
    this.maxFieldBytes = maxFieldBytes;
    reset();
  }

  /** Prepares for the next head on the connection. */
  public void reset() {
    requestLineDone = false;
    lineEmpty = true;
    lineStart = true;
    prev = 0;
    beforeCr = 0;
    separators = 0;
    lineBytes = 0;
    fieldBytes = 0;
    violation = null;
  }

  /**
   * What was wrong with the bytes seen so far, or {@code null}: an {@link IllegalArgumentException}
   * (400) or a {@link TooLongHttpHeaderException} (431).
   */
  public Exception violation() {
    return violation;
  }

  @Override
  public boolean process(byte b) {
    if (prev == CR && b != LF) {
      return fail("bare CR in the request head");
    }
    if (b == LF) {
      if (prev != CR) {
        return fail("bare LF in the request head");
      }
      if (!requestLineDone) {
        if (!lineEmpty) {
          if (separators != 2 || beforeCr == SP) {
            return fail("malformed request line");
          }
          requestLineDone = true;
        }
      } else if (lineBytes > 1) { // more than its CR: a field line, not the final empty line
        fieldBytes += lineBytes + 1;
        if (fieldBytes > maxFieldBytes) {
          violation = new TooLongHttpHeaderException("HTTP header section is larger than " + maxFieldBytes + " bytes.");
          return false;
        }
      }
      prev = b;
      lineStart = true;
      lineEmpty = true;
      lineBytes = 0;
      separators = 0;
      return true;
    }
    lineBytes++;
    if (b == SP || b == HTAB) {
      if (!requestLineDone) {
        if (!lineEmpty) {
          if (b == HTAB || prev == SP) {
            return fail("malformed request line");
          }
          separators++;
        }
        // Whitespace before the request line is skipped, as Netty does.
      } else if (lineStart) {
        return fail("obs-fold (a field line starting with whitespace) is not accepted");
      }
    } else if (b == CR) {
      beforeCr = prev;
    } else {
      if ((b >= 0 && b < 0x20) || b == 0x7F) {
        return fail("control character 0x" + Integer.toHexString(b) + " in the request head");
      }
      if (!requestLineDone) {
        lineEmpty = false;
      }
    }
    lineStart = false;
    prev = b;
    return true;
  }

  private boolean fail(String message) {
    violation = new IllegalArgumentException(message);
    return false;
  }
}
