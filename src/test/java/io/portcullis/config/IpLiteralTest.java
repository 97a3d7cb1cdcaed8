package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # text                                     | canonical form
      0.0.0.0                                    | 0.0.0.0
      192.0.2.255                                | 192.0.2.255
      ::                                         | ::
      ::1                                        | ::1
      1::                                        | 1::
      2001:DB8::0:1                              | 2001:db8::1
      2001:db8:0:0:1:0:0:1                       | 2001:db8::1:0:0:1
      2001:0db8:0000:0000:0000:ff00:0042:8329    | 2001:db8::ff00:42:8329
      1:2:3:4:5:6:7::                            | 1:2:3:4:5:6:7:0
      ::2:3:4:5:6:7:8                            | 0:2:3:4:5:6:7:8
      1:0:1:0:0:1:0:0                            | 1:0:1::1:0:0
      ::ffff:10.1.2.3                            | 10.1.2.3
      ::FFFF:a01:203                             | 10.1.2.3
      0:0:0:0:0:ffff:10.1.2.3                    | 10.1.2.3
      64:ff9b::192.0.2.33                        | 64:ff9b::c000:221
      ::192.0.2.33                               | ::c000:221
      """)
  void readsLiteralsAndFormatsThemCanonically(String text, String canonical) {
    IpLiteral ip = new IpLiteral();
    assertThat(ip.parse(text, 0, text.length())).isTrue();
    assertThat(ip.format()).isEqualTo(canonical);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2.3.04", "1..2.3",
      "1.2.3.4 ", " 1.2.3.4", "0x1.2.3.4", "1.2.3.4:80", ":", ":::", "1:2", ":1::", "1:::2", "1::2::3",
      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "g::", "::1%eth0", "[::1]", "::1.2.3", "::1.2.3.4.5",
      "1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "localhost", "unknown", "::١", "١.٢.٣.٤",
      "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550"})
  void refusesAnythingElse(String text) {
    assertThat(new IpLiteral().parse(text, 0, text.length())).isFalse();
  }

  @Property(tries = 2_000)
  void readsEveryAddressInJavasFullFormAndItsOwnCanonicalForm(@ForAll("addresses") byte[] bytes)
      throws UnknownHostException {
    InetAddress address = InetAddress.getByAddress(bytes);
    String javaText = address.getHostAddress();
    IpLiteral ip = new IpLiteral();

    assertThat(ip.parse(javaText, 0, javaText.length())).as(javaText).isTrue();
    assertThat(bits(ip)).isEqualTo(mapped(bytes));
    String canonical = ip.format();
    IpLiteral again = new IpLiteral();
    assertThat(again.parse(canonical, 0, canonical.length())).as(canonical).isTrue();
    assertThat(bits(again)).isEqualTo(mapped(bytes));
    String upper = canonical.toUpperCase(Locale.ROOT);
    assertThat(again.parse(upper, 0, upper.length())).as(upper).isTrue();
    assertThat(bits(again)).isEqualTo(mapped(bytes));
  }

  @Property(tries = 5_000)
  void agreesWithNettyOnWhatItAccepts(@ForAll("addressLikeText") String text) {
    IpLiteral ip = new IpLiteral();
    boolean accepted = ip.parse(text, 0, text.length());
    if (accepted) {
      byte[] netty = NetUtil.createByteArrayFromIpAddressString(text);
      assertThat(netty).as("Netty reads %s", text).isNotNull();
      assertThat(bits(ip)).as(text).isEqualTo(mapped(netty));
    }
  }

  @Provide
  Arbitrary<byte[]> addresses() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(4),
        Arbitraries.bytes().array(byte[].class).ofSize(16),
        // Many zero groups, to exercise "::" in every position.
        Arbitraries.of((byte) 0, (byte) 0, (byte) 0, (byte) 1, (byte) -1).array(byte[].class).ofSize(16));
  }

  @Provide
  Arbitrary<String> addressLikeText() {
    return Arbitraries.strings().withChars("0123456789abcdefABCDEF:.").ofMinLength(2).ofMaxLength(45);
  }

  private static BigInteger bits(IpLiteral ip) {
    return new BigInteger(1, longs(ip.hi, ip.lo));
  }

  /** The 128-bit form of 4 or 16 address bytes: IPv4 as IPv4-mapped IPv6. */
  private static BigInteger mapped(byte[] bytes) {
    if (bytes.length == 4) {
      byte[] v6 = new byte[16];
      v6[10] = (byte) 0xff;
      v6[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, v6, 12, 4);
      return new BigInteger(1, v6);
    }
    return new BigInteger(1, bytes);
  }

  private static byte[] longs(long hi, long lo) {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (hi >>> (56 - 8 * i));
      out[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return out;
  }
}
