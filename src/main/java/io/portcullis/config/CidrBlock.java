package io.portcullis.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A block of IPv4 or IPv6 addresses, {@code 10.0.0.0/8} or {@code fd00::/8} (an entry of
 * {@code server.trustedProxies}). A bare address is the block of that one address ({@code /32} or
 * {@code /128}). Bits past the prefix are ignored: {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 * Parsing never resolves a name ({@link IpLiteral}).
 *
 * <p>Addresses are compared in one 128-bit space, IPv4 as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d},
 * RFC 4291 §2.5.5.2): {@code 10.0.0.0/8} is {@code ::ffff:10.0.0.0/104}, so an IPv4 block holds the
 * IPv4-mapped form of its addresses, and an IPv6 block that covers {@code ::ffff:0:0/96} (such as
 * {@code ::/0}) holds IPv4 addresses. Immutable and thread-safe; {@link #contains(IpLiteral)}
 * allocates nothing.
 */
public final class CidrBlock {

  private final long netHi;
  private final long netLo;
  private final long maskHi;
  private final long maskLo;
  /** Whether it was written as an IPv4 block (its prefix then counts 32 bits). */
  private final boolean ipv4;
  /** The prefix as written: 0..32 for IPv4, 0..128 for IPv6. */
  private final int prefixLength;

  private CidrBlock(long netHi, long netLo, long maskHi, long maskLo, boolean ipv4, int prefixLength) {
    this.netHi = netHi;
    this.netLo = netLo;
    this.maskHi = maskHi;
    this.maskLo = maskLo;
    this.ipv4 = ipv4;
    this.prefixLength = prefixLength;
  }

  /**
   * The block {@code text} names ({@code ADDRESS/BITS} or a bare {@code ADDRESS}), or null if it is
   * not one. {@code BITS} is a decimal number without leading zeros, at most 32 for an IPv4
   * address and 128 for an IPv6 one.
   */
  public static CidrBlock parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    IpLiteral ip = new IpLiteral();
    if (!ip.parse(text, 0, slash < 0 ? text.length() : slash)) {
      return null;
    }
    boolean v4 = text.lastIndexOf(':', slash < 0 ? text.length() : slash) < 0;
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash >= 0) {
      String digits = text.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          || (digits.length() > 1 && digits.charAt(0) == '0')) {
        return null;
      }
      prefix = Integer.parseInt(digits);
      if (prefix > max) {
        return null;
      }
    }
    int bits = v4 ? prefix + 96 : prefix;
    long maskHi = maskHi(bits);
    long maskLo = maskLo(bits);
    return new CidrBlock(ip.high() & maskHi, ip.low() & maskLo, maskHi, maskLo, v4, prefix);
  }

  /** The upper half of the mask of a {@code bits}-bit prefix of the 128-bit form. */
  private static long maskHi(int bits) {
    return bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
  }

  /** The lower half of the mask of a {@code bits}-bit prefix of the 128-bit form. */
  private static long maskLo(int bits) {
    return bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
  }

  /** Whether the block was written as IPv6. */
  public boolean isIpv6() {
    return !ipv4;
  }

  /** The prefix length in bits as written: 0..32 for IPv4, 0..128 for IPv6. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Whether the address {@code ip} holds lies in the block. Allocates nothing. */
  public boolean contains(IpLiteral ip) {
    return (ip.high() & maskHi) == netHi && (ip.low() & maskLo) == netLo;
  }

  /** Whether {@code address} lies in the block. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** Whether the address of these bytes (4 or 16) lies in the block; false for any other length. */
  public boolean contains(byte[] address) {
    long hi = 0;
    long lo = 0;
    if (address.length == 4) {
      lo = 0xffffL << 32;
      for (int i = 0; i < 4; i++) {
        lo |= (address[i] & 0xffL) << (24 - 8 * i);
      }
    } else if (address.length == 16) {
      for (int i = 0; i < 8; i++) {
        hi = hi << 8 | (address[i] & 0xffL);
        lo = lo << 8 | (address[8 + i] & 0xffL);
      }
    } else {
      return false;
    }
    return (hi & maskHi) == netHi && (lo & maskLo) == netLo;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrBlock other && ipv4 == other.ipv4 && prefixLength == other.prefixLength
        && netHi == other.netHi && netLo == other.netLo;
  }

  @Override
  public int hashCode() {
    return Objects.hash(netHi, netLo, ipv4, prefixLength);
  }

  /**
   * The block as {@code NETWORK/BITS}, in the family it was written in, the network in its
   * canonical form: {@code 10.0.0.0/8}, {@code fd00::/8}, {@code ::ffff:10.0.0.0/104}.
   */
  @Override
  public String toString() {
    IpLiteral network = new IpLiteral();
    network.hi = netHi;
    network.lo = netLo;
    String text = network.format();
    if (!ipv4 && network.isIpv4()) {
      text = "::ffff:" + text; // written as IPv6: keep the mapped form (RFC 5952 §5)
    }
    return text + "/" + prefixLength;
  }
}
