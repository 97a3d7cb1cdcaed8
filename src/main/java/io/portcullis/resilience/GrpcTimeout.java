package io.portcullis.resilience;

import java.util.OptionalLong;

/**
 * Parser of the {@code grpc-timeout} request header.
 *
 * <p>Wire format (gRPC over HTTP/2, "Requests"): {@code TimeoutValue TimeoutUnit}, where the
 * value is 1 to 8 ASCII digits and the unit is one of {@code H} (hours), {@code M} (minutes),
 * {@code S} (seconds), {@code m} (milliseconds), {@code u} (microseconds), {@code n}
 * (nanoseconds).
 */
public final class GrpcTimeout {

  private static final int MAX_DIGITS = 8;

  private GrpcTimeout() {}

  /**
   * Parses a {@code grpc-timeout} header value into milliseconds.
   *
   * <p>Sub-millisecond units are rounded up, so a positive timeout is at least 1 ms; {@code 0} of
   * any unit parses to {@code 0} (the caller decides what a zero budget means). Surrounding
   * optional whitespace is ignored (RFC 9110 §5.5); anything else off the format is malformed.
   *
   * @param value the header value, may be {@code null}
   * @return the timeout in milliseconds, or empty when absent or malformed
   */
  public static OptionalLong parseMillis(String value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    String text = value.strip();
    int digits = text.length() - 1;
    if (digits < 1 || digits > MAX_DIGITS) {
      return OptionalLong.empty();
    }
    long amount = 0;
    for (int i = 0; i < digits; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return OptionalLong.empty();
      }
      amount = amount * 10 + (c - '0');
    }
    // At most 99,999,999 hours = 3.6e14 ms: no overflow in any branch.
    switch (text.charAt(digits)) {
      case 'H':
        return OptionalLong.of(amount * 3_600_000L);
      case 'M':
        return OptionalLong.of(amount * 60_000L);
      case 'S':
        return OptionalLong.of(amount * 1_000L);
      case 'm':
        return OptionalLong.of(amount);
      case 'u':
        return OptionalLong.of(ceilDiv(amount, 1_000L));
      case 'n':
        return OptionalLong.of(ceilDiv(amount, 1_000_000L));
      default:
        return OptionalLong.empty();
    }
  }

  private static long ceilDiv(long amount, long divisor) {
    return (amount + divisor - 1) / divisor;
  }
}
