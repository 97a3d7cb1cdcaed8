package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.CidrBlock;
import io.portcullis.testkit.FakeHttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  private static final TrustedProxies LOOPBACK = TrustedProxies.of(List.of(CidrBlock.parse("127.0.0.0/8"),
      CidrBlock.parse("::1")));

  @Test
  void withoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays() {
    FakeHttpRequest request = FakeHttpRequest.of("GET", "/").peer("127.0.0.1").header("X-Forwarded-For", "198.51.100.1");
    assertThat(ClientAddress.of(request.request(), TrustedProxies.NONE)).isEqualTo("127.0.0.1");
  }

  @Test
  void aTrustedPeerHandsOverToTheRightmostEntryOfTheLastFieldLine() {
    FakeHttpRequest request = FakeHttpRequest.of("GET", "/").peer("127.0.0.1")
        .header("X-Forwarded-For", "203.0.113.66, 198.51.100.1").header("X-Forwarded-For", "127.0.0.9");
    assertThat(ClientAddress.of(request.request(), LOOPBACK)).isEqualTo("198.51.100.1");
  }

  @Test
  void anUntrustedPeerIsTheClient() {
    FakeHttpRequest request = FakeHttpRequest.of("GET", "/").peer("192.0.2.44").header("X-Forwarded-For", "198.51.100.1");
    assertThat(ClientAddress.of(request.request(), LOOPBACK)).isEqualTo("192.0.2.44");
  }

  @Test
  void ipv6PeersAreGivenInCanonicalForm() {
    FakeHttpRequest direct = FakeHttpRequest.of("GET", "/").peer("2001:db8:0:0:0:0:0:9");
    FakeHttpRequest viaLoopback = FakeHttpRequest.of("GET", "/").peer("0:0:0:0:0:0:0:1")
        .header("X-Forwarded-For", "garbage");

    assertThat(ClientAddress.of(direct.request(), TrustedProxies.NONE)).isEqualTo("2001:db8::9");
    assertThat(ClientAddress.of(viaLoopback.request(), LOOPBACK)).isEqualTo("::1");
  }

  @Test
  void garbageOrAnOverlongHeaderStopsTheWalkAtTheLastTrustedAddress() {
    FakeHttpRequest garbage = FakeHttpRequest.of("GET", "/").peer("127.0.0.1")
        .header("X-Forwarded-For", "198.51.100.1, <script>, 127.0.0.7");
    FakeHttpRequest overlong = FakeHttpRequest.of("GET", "/").peer("127.0.0.1")
        .header("X-Forwarded-For", "9".repeat(100_000));

    assertThat(ClientAddress.of(garbage.request(), LOOPBACK)).isEqualTo("127.0.0.7");
    assertThat(ClientAddress.of(overlong.request(), LOOPBACK)).isEqualTo("127.0.0.1");
  }
}
