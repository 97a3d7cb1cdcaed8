package io.portcullis.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals, parsed without ever resolving a name: dotted-quad IPv4 is parsed here, and
 * only text that can be nothing but an IPv6 literal (hex digits, {@code :} and {@code .}, at least
 * one {@code :}, starting with a hex digit or {@code :}) is given to {@link InetAddress}, which
 * parses such text as a literal or refuses it, and never looks it up.
 */
final class IpLiteral {

  private IpLiteral() {}

  /** The address bytes (4 or 16) of {@code text}, or null if it is not an IP address literal. */
  static byte[] parse(String text) {
    if (text.isEmpty() || text.length() > 45) {
      return null;
    }
    return text.indexOf(':') < 0 ? ipv4(text) : ipv6(text);
  }

  /** Strict dotted quad: four decimal parts 0..255, no leading zeros (so never octal). */
  private static byte[] ipv4(String text) {
    byte[] bytes = new byte[4];
    int part = 0;
    int i = 0;
    while (part < 4) {
      int start = i;
      int value = 0;
      while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9' && i - start < 3) {
        value = value * 10 + (text.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
        return null;
      }
      bytes[part++] = (byte) value;
      if (part < 4) {
        if (i >= text.length() || text.charAt(i) != '.') {
          return null;
        }
        i++;
      }
    }
    return i == text.length() ? bytes : null;
  }

  private static byte[] ipv6(String text) {
    char first = text.charAt(0);
    if (!(first == ':' || isHexDigit(first))) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c == ':' || c == '.' || isHexDigit(c))) {
        return null; // no zone ("%eth0"), no brackets, nothing a resolver could take for a name
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(text); // an IPv6 literal by the checks above: parsed, never resolved
    } catch (UnknownHostException e) {
      return null;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      // Java gives an IPv4-mapped literal (::ffff:a.b.c.d) as IPv4; keep it as written, IPv6.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      return mapped;
    }
    return bytes;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** The text form of address bytes: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as {@code ::}). */
  static String format(byte[] bytes) {
    if (bytes.length == 4) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
