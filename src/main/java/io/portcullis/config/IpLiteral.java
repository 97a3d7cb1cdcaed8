package io.portcullis.config;

/**
 * An IP address read from text into 128 bits, IPv4 as its IPv4-mapped IPv6 form
 * ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2), so that one comparison serves both families and an
 * IPv4-mapped IPv6 address is the IPv4 address it maps.
 *
 * <p>Only literals are read, never names (nothing here resolves anything):
 * <ul>
 *   <li>IPv4: four decimal octets {@code 0..255}; a leading zero ({@code 010}) is refused, as it
 *       means octal to some parsers and decimal to others;</li>
 *   <li>IPv6: RFC 4291 §2.2 text, groups of 1 to 4 hex digits in either case, at most one
 *       {@code ::}, an IPv4 dotted quad in the last 32 bits; no zone id ({@code %eth0}), no
 *       brackets.</li>
 * </ul>
 * A mutable holder, reused by its owner: {@link #parse} either fills it and answers true, or
 * answers false and leaves it undefined. Not thread-safe; no allocation but {@link #format}.
 *
 * <p>The one reader of IP literals in the gateway: configuration ({@link CidrBlock},
 * {@link DnsServer}) and the client-address walk over {@code X-Forwarded-For} both use it, so an
 * address the configuration accepts is an address the walk recognises, and the other way round.
 */
public final class IpLiteral {

  /** The upper 64 bits of {@code ::ffff:0:0/96} that mark an IPv4-mapped address. */
  private static final long MAPPED_HI = 0L;
  private static final long MAPPED_LO_MARK = 0xffffL << 32;

  /** Longest IPv6 text: eight groups of four digits and seven colons, or six groups and a dotted quad. */
  public static final int MAX_CHARS = 45;

  long hi;
  long lo;

  /** An empty holder (the address {@code ::} until a successful {@link #parse}). */
  public IpLiteral() {
  }

  /** The upper 64 bits of the 128-bit form. */
  public long high() {
    return hi;
  }

  /** The lower 64 bits of the 128-bit form (an IPv4 address is the lowest 32). */
  public long low() {
    return lo;
  }

  /** Whether this is an IPv4 address (an IPv4-mapped IPv6 one included). */
  public boolean isIpv4() {
    return hi == MAPPED_HI && (lo & 0xffffffff00000000L) == MAPPED_LO_MARK;
  }

  /**
   * {@code text} in canonical form when it is an IP literal ({@code 2001:db8:0:0:0:0:0:9} becomes
   * {@code 2001:db8::9}), else {@code text} itself.
   */
  public static String canonical(String text) {
    IpLiteral ip = new IpLiteral();
    return ip.parse(text) ? ip.format() : text;
  }

  /** Reads the whole of {@code text}; see {@link #parse(CharSequence, int, int)}. */
  public boolean parse(CharSequence text) {
    return parse(text, 0, text.length());
  }

  /**
   * Reads {@code s[from, to)} as an IPv4 or IPv6 literal.
   *
   * @return whether it is one (this then holds it)
   */
  public boolean parse(CharSequence s, int from, int to) {
    int length = to - from;
    if (length < 2 || length > MAX_CHARS) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        return parseIpv6(s, from, to);
      }
    }
    long v4 = parseIpv4(s, from, to);
    if (v4 < 0) {
      return false;
    }
    hi = MAPPED_HI;
    lo = MAPPED_LO_MARK | v4;
    return true;
  }

  /** The dotted quad {@code s[from, to)} as an unsigned 32-bit value, or -1. */
  static long parseIpv4(CharSequence s, int from, int to) {
    long value = 0;
    int octets = 0;
    int i = from;
    while (true) {
      int start = i;
      int octet = 0;
      while (i < to && i - start < 3) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        octet = octet * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || octet > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      value = (value << 8) | octet;
      octets++;
      if (octets == 4) {
        return i == to ? value : -1;
      }
      if (i >= to || s.charAt(i) != '.') {
        return -1;
      }
      i++;
    }
  }

  private boolean parseIpv6(CharSequence s, int from, int to) {
    // Groups before "::" accumulate in (headHi, headLo), groups after it in (tailHi, tailLo);
    // each new group shifts its half left by 16 bits.
    long headHi = 0;
    long headLo = 0;
    long tailHi = 0;
    long tailLo = 0;
    int headGroups = 0;
    int tailGroups = 0;
    boolean compressed = false;
    int i = from;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return false; // a lone leading colon
      }
      compressed = true;
      i += 2;
      if (i == to) {
        hi = 0;
        lo = 0;
        return true; // "::"
      }
    }
    while (true) {
      int start = i;
      int group = 0;
      while (i < to && i - start < 5) {
        int d = hexValue(s.charAt(i));
        if (d < 0) {
          break;
        }
        group = (group << 4) | d;
        i++;
      }
      int groups = headGroups + tailGroups;
      if (i < to && s.charAt(i) == '.') {
        // A dotted quad: the last 32 bits.
        long v4 = groups <= 6 ? parseIpv4(s, start, to) : -1;
        if (v4 < 0) {
          return false;
        }
        if (compressed) {
          tailHi = (tailHi << 32) | (tailLo >>> 32);
          tailLo = (tailLo << 32) | v4;
          tailGroups += 2;
        } else {
          headHi = (headHi << 32) | (headLo >>> 32);
          headLo = (headLo << 32) | v4;
          headGroups += 2;
        }
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || groups == 8) {
        return false;
      }
      if (compressed) {
        tailHi = (tailHi << 16) | (tailLo >>> 48);
        tailLo = (tailLo << 16) | group;
        tailGroups++;
      } else {
        headHi = (headHi << 16) | (headLo >>> 48);
        headLo = (headLo << 16) | group;
        headGroups++;
      }
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return false;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (compressed) {
          return false; // a second "::"
        }
        compressed = true;
        i++;
        if (i == to) {
          break; // "...::" at the end
        }
      } else if (i == to) {
        return false; // a lone trailing colon
      }
    }
    int total = headGroups + tailGroups;
    if (compressed ? total > 7 : total != 8) {
      return false;
    }
    // The head's groups go to the top: left by 16 bits for every group after them ("::" and tail).
    for (int k = headGroups; k < 8; k++) {
      headHi = (headHi << 16) | (headLo >>> 48);
      headLo = headLo << 16;
    }
    hi = headHi | tailHi;
    lo = headLo | tailLo;
    return true;
  }

  /**
   * The canonical text: a dotted quad for an IPv4 (or IPv4-mapped) address, else RFC 5952
   * (lower case, no leading zeros, the longest run of two or more zero groups, the first of
   * equals, as {@code ::}).
   */
  public String format() {
    if (isIpv4()) {
      return (lo >>> 24 & 0xff) + "." + (lo >>> 16 & 0xff) + "." + (lo >>> 8 & 0xff) + "." + (lo & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    int runStart = -1;
    for (int g = 0; g < 8; g++) {
      if (group(g) == 0) {
        if (runStart < 0) {
          runStart = g;
        }
        if (g - runStart + 1 > bestLength) {
          bestStart = runStart;
          bestLength = g - runStart + 1;
        }
      } else {
        runStart = -1;
      }
    }
    StringBuilder out = new StringBuilder(39);
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        out.append("::");
        g += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(group(g)));
    }
    return out.toString();
  }

  /** The value of an ASCII hex digit, or -1. */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private int group(int g) {
    long half = g < 4 ? hi : lo;
    return (int) (half >>> (16 * (3 - (g & 3))) & 0xffff);
  }
}
