package io.portcullis.edge;

import io.portcullis.config.CidrBlock;
import io.portcullis.config.IpLiteral;
import java.util.List;

/**
 * {@code server.trustedProxies}: the address blocks (CIDRs, IPv4 and IPv6) of the proxies in front
 * of the gateway, and the walk of {@code X-Forwarded-For} that finds the client behind them.
 *
 * <p>The walk (README "Running behind a load balancer"): start from the connection's peer; while
 * the address in hand is a trusted proxy and {@code X-Forwarded-For} has entries left, take its
 * rightmost remaining entry. The rightmost entries are written by the proxies nearest to the gateway; the
 * walk stops at the first address that is not a trusted proxy, so an entry a client wrote itself
 * (further left) is never believed. With no trusted proxies the peer is the client.
 *
 * <p>Entries, after trimming spaces and tabs:
 * <ul>
 *   <li>an IPv4 or IPv6 literal ({@link IpLiteral}: no names, no zone ids, no octal octets);</li>
 *   <li>a bracketed IPv6 literal, {@code [2001:db8::1]};</li>
 *   <li>with a port, {@code 192.0.2.7:4711} or {@code [2001:db8::1]:4711}, as some balancers write
 *       them (Azure Application Gateway, IIS ARR): the port, {@code 0..65535}, is dropped.</li>
 * </ul>
 * Anything else ({@code unknown}, a host name, an RFC 7239 obfuscated identifier, an empty entry,
 * an entry of more than {@link #MAX_ENTRY_CHARS} characters) stops the walk: the client is then
 * the last address reached, a trusted proxy. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3})
 * is the IPv4 address it maps, both when matched against the blocks and in the answer; an IPv4
 * block is matched by it, and an IPv6 block that covers {@code ::ffff:0:0/96} matches IPv4
 * addresses. The blocks are the configuration's own ({@link CidrBlock}, read and checked with the
 * rest of it), and every address is read by the configuration's reader ({@link IpLiteral}): one
 * rule for what an IP address is.
 *
 * <p>Cost: with no blocks, nothing. Otherwise the walk reads each character of the header at
 * most once from the right, parses each entry it reaches in a bounded number of steps and compares
 * it with every block (configurations have a handful). A peer that is not a trusted proxy costs no
 * allocation (about 0.1 µs); a walk allocates a small parse holder and the answer's text (about
 * 90 bytes). It never throws on any header content. Immutable and thread-safe.
 */
public final class TrustedProxies {

  /** No trusted proxy: the peer is always the client (the default). */
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  /**
   * Longest entry read: a bracketed IPv6 literal of {@link IpLiteral#MAX_CHARS} characters and a
   * port ({@code [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535}).
   */
  public static final int MAX_ENTRY_CHARS = IpLiteral.MAX_CHARS + 8;

  private final List<CidrBlock> blocks;
  private final CidrBlock[] array;

  private TrustedProxies(List<CidrBlock> blocks) {
    this.blocks = List.copyOf(blocks);
    this.array = this.blocks.toArray(new CidrBlock[0]);
  }

  /** The trusted proxies in {@code blocks} ({@code server.trustedProxies}); {@link #NONE} when empty. */
  public static TrustedProxies of(List<CidrBlock> blocks) {
    return blocks.isEmpty() ? NONE : new TrustedProxies(blocks);
  }

  /** Whether there is no trusted proxy. */
  public boolean isEmpty() {
    return array.length == 0;
  }

  /** The blocks. */
  public List<CidrBlock> blocks() {
    return blocks;
  }

  /** Whether {@code address}, an IP literal, is in a trusted block; false for anything else. */
  public boolean isTrusted(CharSequence address) {
    if (isEmpty() || address == null) {
      return false;
    }
    IpLiteral ip = new IpLiteral();
    return ip.parse(address, 0, address.length()) && contains(ip);
  }

  /**
   * The client address of a request from {@code peer} carrying {@code forwardedFor}.
   *
   * @param peer the connection's peer address ({@code SocketAddress.hostAddress()}), or null
   * @param forwardedFor the {@code X-Forwarded-For} value, several field lines joined with
   *     {@code ", "}, or null
   * @return {@code peer} itself when the walk does not leave it; else the entry it ends on, in
   *     canonical form (dotted quad for IPv4 and IPv4-mapped, RFC 5952 for IPv6)
   */
  public String clientAddress(String peer, String forwardedFor) {
    return forwardedFor == null ? peer : walk(peer, null, forwardedFor);
  }

  /**
   * The client address of a request from {@code peer} carrying the {@code X-Forwarded-For} field
   * lines {@code forwardedFor}, in the order received (the last line's last entry is the rightmost).
   *
   * @see #clientAddress(String, String)
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    return forwardedFor.isEmpty() ? peer : walk(peer, forwardedFor, null);
  }

  /** The walk over the field lines {@code lines}, or over the one value {@code single} when they are null. */
  private String walk(String peer, List<String> lines, String single) {
    if (isEmpty() || peer == null) {
      return peer;
    }
    IpLiteral ip = new IpLiteral();
    if (!ip.parse(peer, 0, peer.length()) || !contains(ip)) {
      return peer;
    }
    boolean moved = false;
    for (int line = lines == null ? 0 : lines.size() - 1; line >= 0; line--) {
      String value = lines == null ? single : lines.get(line);
      int end = value == null ? 0 : value.length();
      while (end > 0) {
        int comma = lastComma(value, end);
        // [comma + 1, end) is the entry with its surrounding whitespace.
        int to = end;
        while (to > comma + 1 && isWhitespace(value.charAt(to - 1))) {
          to--;
        }
        int from = comma + 1;
        while (from < to && isWhitespace(value.charAt(from))) {
          from++;
        }
        if (to - from > MAX_ENTRY_CHARS || !readEntry(value, from, to, ip)) {
          return moved ? ip.format() : peer;
        }
        moved = true;
        if (!contains(ip)) {
          return ip.format();
        }
        end = comma;
      }
    }
    return moved ? ip.format() : peer;
  }

  /**
   * The index of the last comma before {@code end}, or -1. Stops early (answering an index whose
   * entry is then too long to be read) once it has passed more than {@link #MAX_ENTRY_CHARS}
   * characters that are not whitespace, so a huge entry costs no more than a small one.
   */
  private static int lastComma(String value, int end) {
    int visible = 0;
    for (int i = end - 1; i >= 0; i--) {
      char c = value.charAt(i);
      if (c == ',') {
        return i;
      }
      if (!isWhitespace(c) && ++visible > MAX_ENTRY_CHARS) {
        return Math.max(-1, i - 1); // the entry [i, end) is already too long
      }
    }
    return -1;
  }

  /**
   * Reads one entry, {@code value[from, to)} without surrounding whitespace, into {@code ip}: an IP
   * literal, or a bracketed IPv6 literal, either with a port. The port is checked and dropped.
   */
  private static boolean readEntry(String value, int from, int to, IpLiteral ip) {
    if (from >= to) {
      return false;
    }
    if (value.charAt(from) == '[') {
      int close = from + 1;
      while (close < to && value.charAt(close) != ']') {
        close++;
      }
      if (close == to || (close + 1 < to && (value.charAt(close + 1) != ':' || !isPort(value, close + 2, to)))) {
        return false;
      }
      // Only IPv6 text goes in brackets.
      return value.lastIndexOf(':', close) > from && ip.parse(value, from + 1, close);
    }
    int colons = 0;
    int colon = -1;
    boolean dotBeforeColon = false;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c == ':') {
        colons++;
        colon = i;
      } else if (c == '.' && colons == 0) {
        dotBeforeColon = true;
      }
    }
    if (colons == 1 && dotBeforeColon) {
      // A dotted quad and a port.
      return isPort(value, colon + 1, to) && ip.parse(value, from, colon) && ip.isIpv4();
    }
    return ip.parse(value, from, to);
  }

  /** Whether {@code value[from, to)} is a port number, 1 to 5 digits, at most 65535. */
  private static boolean isPort(String value, int from, int to) {
    if (to - from < 1 || to - from > 5) {
      return false;
    }
    int port = 0;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65_535;
  }

  private boolean contains(IpLiteral ip) {
    for (CidrBlock block : array) {
      if (block.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  @Override
  public String toString() {
    return "TrustedProxies" + blocks;
  }
}
