package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.CidrBlock;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustedProxiesTest {

  private static final TrustedProxies LAN = trusting("127.0.0.0/8", "10.0.0.0/8", "fd00::/8");

  @ParameterizedTest(name = "[{index}] peer {0}, X-Forwarded-For \"{1}\" -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # peer          | X-Forwarded-For                                  | client
      # An untrusted peer is the client, whatever the header says.
      203.0.113.9     | "198.51.100.1"                                   | 203.0.113.9
      # A trusted peer: the rightmost entry.
      10.0.0.2        | "198.51.100.1"                                   | 198.51.100.1
      10.0.0.2        | "192.0.2.66, 198.51.100.1"                       | 198.51.100.1
      # Through a chain of trusted proxies, to the first untrusted address from the right.
      10.0.0.2        | "192.0.2.66, 198.51.100.1, 10.9.9.9, 10.8.8.8"   | 198.51.100.1
      # Every entry trusted: the leftmost.
      127.0.0.1       | "10.1.1.1, 10.2.2.2"                             | 10.1.1.1
      # Garbage stops the walk at the last address reached.
      10.0.0.2        | "198.51.100.1, unknown"                          | 10.0.0.2
      10.0.0.2        | "198.51.100.1, garbage, 10.3.3.3"                | 10.3.3.3
      10.0.0.2        | "198.51.100.1, , 10.3.3.3"                       | 10.3.3.3
      10.0.0.2        | "198.51.100.1,"                                  | 10.0.0.2
      10.0.0.2        | "_hidden, 10.3.3.3"                              | 10.3.3.3
      10.0.0.2        | "proxy.example, 10.3.3.3"                        | 10.3.3.3
      10.0.0.2        | "198.51.100.1 10.3.3.3"                          | 10.0.0.2
      10.0.0.2        | "010.1.1.1"                                      | 10.0.0.2
      10.0.0.2        | "fe80::1%eth0"                                   | 10.0.0.2
      10.0.0.2        | "\"198.51.100.1\""                               | 10.0.0.2
      10.0.0.2        | ""                                               | 10.0.0.2
      10.0.0.2        | "   "                                            | 10.0.0.2
      # IPv6 peers and entries, in any spelling; answers in canonical form.
      fd00::5         | "2001:DB8:0:0::1"                                | 2001:db8::1
      0:0:0:0:0:0:0:1 | "2001:db8::7"                                    | 0:0:0:0:0:0:0:1
      10.0.0.2        | "2001:db8::7, fd12::1"                           | 2001:db8::7
      # IPv4-mapped IPv6 is IPv4, on both sides.
      ::ffff:10.0.0.2 | "198.51.100.1"                                   | 198.51.100.1
      10.0.0.2        | "198.51.100.1, ::ffff:10.4.4.4"                  | 198.51.100.1
      10.0.0.2        | "::ffff:c633:6401"                               | 198.51.100.1
      # Ports are dropped; a bad port is garbage.
      10.0.0.2        | "198.51.100.1:4711"                              | 198.51.100.1
      10.0.0.2        | "[2001:db8::1]:443, 10.3.3.3:80"                 | 2001:db8::1
      10.0.0.2        | "[2001:db8::1]"                                  | 2001:db8::1
      10.0.0.2        | "198.51.100.1:65536"                             | 10.0.0.2
      10.0.0.2        | "198.51.100.1:"                                  | 10.0.0.2
      10.0.0.2        | "[198.51.100.1]"                                 | 10.0.0.2
      10.0.0.2        | "[2001:db8::1"                                   | 10.0.0.2
      10.0.0.2        | "[2001:db8::1]x"                                 | 10.0.0.2
      10.0.0.2        | "2001:db8::1:443"                                | 2001:db8::1:443
      # Whitespace around entries and the commas.
      10.0.0.2        | "  198.51.100.1	,	10.3.3.3  "                  | 198.51.100.1
      """)
  void walksForwardedForFromTheRight(String peer, String forwardedFor, String client) {
    assertThat(LAN.clientAddress(peer, forwardedFor)).isEqualTo(client);
  }

  @Test
  void withoutTrustedProxiesThePeerIsTheClient() {
    assertThat(TrustedProxies.NONE.clientAddress("10.0.0.2", "198.51.100.1")).isEqualTo("10.0.0.2");
    assertThat(TrustedProxies.of(List.of())).isSameAs(TrustedProxies.NONE);
    assertThat(TrustedProxies.NONE.isTrusted("10.0.0.2")).isFalse();
  }

  @Test
  void withoutTheHeaderOrAPeerTheAnswerIsThePeer() {
    assertThat(LAN.clientAddress("10.0.0.2", (String) null)).isEqualTo("10.0.0.2");
    assertThat(LAN.clientAddress("10.0.0.2", List.of())).isEqualTo("10.0.0.2");
    assertThat(LAN.clientAddress(null, "198.51.100.1")).isNull();
    assertThat(LAN.clientAddress("/var/run/lb.sock", "198.51.100.1")).isEqualTo("/var/run/lb.sock");
  }

  @Test
  void aPeerThatIsAlreadyTheAnswerIsReturnedAsTheSameString() {
    String peer = "203.0.113.9";
    assertThat(LAN.clientAddress(peer, "198.51.100.1")).isSameAs(peer);
  }

  @Test
  void severalFieldLinesAreOneListInTheOrderReceived() {
    List<String> lines = List.of("192.0.2.66, 198.51.100.1", "10.9.9.9", "10.8.8.8, 10.7.7.7");
    assertThat(LAN.clientAddress("10.0.0.2", lines)).isEqualTo("198.51.100.1");
    assertThat(LAN.clientAddress("10.0.0.2", List.of("198.51.100.1", "bogus", "10.8.8.8"))).isEqualTo("10.8.8.8");
  }

  @Test
  void overLongEntriesAndHeadersStopTheWalkWithoutAnException() {
    String hugeEntry = "1".repeat(200_000);
    String manyGarbage = String.join(",", Collections.nCopies(50_000, "x"));
    String manyTrusted = String.join(", ", Collections.nCopies(20_000, "10.1.1.1"));
    String longAddressWithPadding = " ".repeat(10_000) + "198.51.100.1" + " ".repeat(10_000);
    String controls = "\u0000\r\n\u00ff\uffff, 10.3.3.3";

    assertThat(LAN.clientAddress("10.0.0.2", hugeEntry)).isEqualTo("10.0.0.2");
    assertThat(LAN.clientAddress("10.0.0.2", hugeEntry + ", 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(LAN.clientAddress("10.0.0.2", "198.51.100.1, " + hugeEntry)).isEqualTo("10.0.0.2");
    assertThat(LAN.clientAddress("10.0.0.2", manyGarbage)).isEqualTo("10.0.0.2");
    assertThat(LAN.clientAddress("10.0.0.2", "198.51.100.1, " + manyTrusted)).isEqualTo("198.51.100.1");
    assertThat(LAN.clientAddress("10.0.0.2", longAddressWithPadding)).isEqualTo("198.51.100.1");
    assertThat(LAN.clientAddress("10.0.0.2", controls)).isEqualTo("10.3.3.3");
    assertThat(LAN.clientAddress("10.0.0.2", "[" + "1:".repeat(40) + "]:1")).isEqualTo("10.0.0.2");
  }

  @Test
  void matchesBlocksOfBothFamiliesAtEveryPrefixLength() {
    TrustedProxies blocks = trusting("192.0.2.128/25", "2001:db8:abcd::/48", "198.51.100.7", "2001:db8::42");

    assertThat(blocks.isTrusted("192.0.2.128")).isTrue();
    assertThat(blocks.isTrusted("192.0.2.255")).isTrue();
    assertThat(blocks.isTrusted("192.0.2.127")).isFalse();
    assertThat(blocks.isTrusted("::ffff:192.0.2.200")).isTrue();
    assertThat(blocks.isTrusted("2001:db8:abcd:ffff::1")).isTrue();
    assertThat(blocks.isTrusted("2001:db8:abce::1")).isFalse();
    assertThat(blocks.isTrusted("198.51.100.7")).isTrue();
    assertThat(blocks.isTrusted("198.51.100.8")).isFalse();
    assertThat(blocks.isTrusted("2001:db8::42")).isTrue();
    assertThat(blocks.isTrusted("2001:db8::43")).isFalse();
    assertThat(blocks.isTrusted("not an address")).isFalse();

    assertThat(trusting("0.0.0.0/0").isTrusted("203.0.113.1")).isTrue();
    assertThat(trusting("0.0.0.0/0").isTrusted("2001:db8::1")).isFalse();
    assertThat(trusting("::/0").isTrusted("2001:db8::1")).isTrue();
    assertThat(trusting("::/0").isTrusted("203.0.113.1")).isTrue();
    assertThat(trusting("::ffff:10.0.0.0/104").isTrusted("10.20.30.40")).isTrue();
    for (int prefix = 0; prefix <= 128; prefix++) {
      TrustedProxies one = trusting("::/" + prefix);
      assertThat(one.isTrusted("::")).isTrue();
      assertThat(one.isTrusted("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isEqualTo(prefix == 0);
      if (prefix > 0) {
        // The first address past the block: only the bit at the prefix's last position set.
        java.math.BigInteger first = java.math.BigInteger.ONE.shiftLeft(128 - prefix);
        String text = toIpv6(first);
        assertThat(one.isTrusted(text)).as("%s in ::/%d", text, prefix).isFalse();
      }
    }
  }

  @Test
  void keepsTheConfiguredBlocks() {
    TrustedProxies proxies = trusting("10.0.0.0/8", "192.0.2.1", "::ffff:0:0/96");
    assertThat(proxies.blocks()).extracting(CidrBlock::toString)
        .containsExactly("10.0.0.0/8", "192.0.2.1/32", "::ffff:0.0.0.0/96");
    assertThat(proxies.isTrusted("192.0.2.1")).isTrue();
    assertThat(proxies.isTrusted("203.0.113.5")).isTrue(); // every IPv4 address is in ::ffff:0:0/96
  }

  /** Trusted proxies from configuration text (every block valid). */
  private static TrustedProxies trusting(String... cidrs) {
    return TrustedProxies.of(Arrays.stream(cidrs).map(text -> {
      CidrBlock block = CidrBlock.parse(text);
      assertThat(block).as(text).isNotNull();
      return block;
    }).toList());
  }

  /** Java's text of the IPv6 address {@code value} (128 bits). */
  private static String toIpv6(java.math.BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] bytes = new byte[16];
    int n = Math.min(16, raw.length);
    System.arraycopy(raw, raw.length - n, bytes, 16 - n, n);
    try {
      return java.net.Inet6Address.getByAddress(null, bytes, -1).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
