package io.portcullis.config;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A block of IPv4 or IPv6 addresses, {@code 10.0.0.0/8} or {@code fd00::/8} (an entry of
 * {@code server.trustedProxies}). A bare address is the block of that one address ({@code /32} or
 * {@code /128}). Bits past the prefix are ignored: {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 * Parsing never resolves a name.
 */
public final class CidrBlock {

  private final byte[] network;
  private final int prefixLength;

  private CidrBlock(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * The block {@code text} names ({@code ADDRESS/BITS} or a bare {@code ADDRESS}), or null if it is
   * not one.
   */
  public static CidrBlock parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    byte[] address = IpLiteral.parse(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String digits = text.substring(slash + 1);
      if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          || (digits.length() > 1 && digits.charAt(0) == '0')) {
        return null;
      }
      prefix = Integer.parseInt(digits);
      if (prefix > bits) {
        return null;
      }
    }
    for (int i = 0; i < address.length; i++) {
      address[i] &= mask(prefix, i);
    }
    return new CidrBlock(address, prefix);
  }

  /** The mask of byte {@code i} for a prefix of {@code prefix} bits. */
  private static byte mask(int prefix, int i) {
    int bitsHere = Math.max(0, Math.min(8, prefix - 8 * i));
    return (byte) (0xff00 >> bitsHere);
  }

  /** Whether the block holds IPv6 addresses. */
  public boolean isIpv6() {
    return network.length == 16;
  }

  /** The prefix length in bits: 0..32 for IPv4, 0..128 for IPv6. */
  public int prefixLength() {
    return prefixLength;
  }

  /** Whether {@code address} lies in the block. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /**
   * Whether the address of these bytes (4 or 16) lies in the block. An IPv4-mapped IPv6 address
   * ({@code ::ffff:a.b.c.d}) is taken as its IPv4 address for an IPv4 block. Allocates nothing.
   */
  public boolean contains(byte[] address) {
    int offset = 0;
    if (address.length == 16 && network.length == 4) {
      if (!isIpv4Mapped(address)) {
        return false;
      }
      offset = 12;
    } else if (address.length != network.length) {
      return false;
    }
    for (int i = 0; i < network.length; i++) {
      if ((address[offset + i] & mask(prefixLength, i)) != network[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrBlock other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  /** The block as {@code NETWORK/BITS}, the network in its shortest form: {@code 10.0.0.0/8}, {@code fd00::/8}. */
  @Override
  public String toString() {
    return IpLiteral.format(network) + "/" + prefixLength;
  }
}
