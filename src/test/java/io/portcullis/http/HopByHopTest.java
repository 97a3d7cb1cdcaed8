package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopTest {

  private static MultiMap headers(String... nameValues) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.add(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  private static MultiMap copy(MultiMap from, Set<String> alsoSkip) {
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copyEndToEnd(from, to, alsoSkip);
    return to;
  }

  @Test
  void closeAsksToCloseAloneOrAmongOtherOptionsInAnyCaseAndSpacing() {
    assertThat(HopByHop.asksToClose(headers("Connection", "close"))).isTrue();
    assertThat(HopByHop.asksToClose(headers("Connection", "close, X-A"))).isTrue();
    assertThat(HopByHop.asksToClose(headers("Connection", "X-A ,  CLOSE "))).isTrue();
    assertThat(HopByHop.asksToClose(headers("Connection", "keep-alive", "Connection", "Close"))).isTrue();
    assertThat(HopByHop.asksToClose(headers("Connection", "keep-alive, X-Closer"))).isFalse();
    assertThat(HopByHop.asksToClose(headers("Connection", "closed"))).isFalse();
    assertThat(HopByHop.asksToClose(headers("Connection", ""))).isFalse();
    assertThat(HopByHop.asksToClose(headers("X-Other", "close"))).isFalse();
  }

  @Test
  void theFixedListIsTheOneOfRfc9110() {
    assertThat(HopByHop.ALWAYS).containsExactlyInAnyOrder(
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");
  }

  @Test
  void everyFixedHopByHopHeaderIsDroppedInAnyCase() {
    MultiMap from = headers(
        "Connection", "keep-alive",
        "KEEP-ALIVE", "timeout=5",
        "Proxy-Connection", "keep-alive",
        "proxy-authenticate", "Basic realm=x",
        "Proxy-Authorization", "Basic Zm9vOmJhcg==",
        "TE", "trailers",
        "Trailer", "X-Checksum",
        "Transfer-Encoding", "chunked",
        "Upgrade", "websocket",
        "Accept", "*/*");

    MultiMap to = copy(from, Set.of());

    assertThat(to.names()).containsExactly("Accept");
  }

  @Test
  void headersNamedInConnectionAreDroppedWhateverTheirCaseAndSpacing() {
    MultiMap from = headers(
        "Connection", "close,  X-Secret-Hop ,x-other-HOP,,",
        "x-secret-hop", "s1",
        "X-Other-Hop", "s2",
        "X-Kept", "k");

    MultiMap to = copy(from, Set.of());

    assertThat(to.names()).containsExactly("X-Kept");
  }

  @Test
  void tokensOfEveryConnectionHeaderCount() {
    MultiMap from = headers(
        "Connection", "keep-alive",
        "Connection", "X-Second",
        "X-Second", "s",
        "X-Kept", "k");

    assertThat(HopByHop.connectionTokens(from)).containsExactlyInAnyOrder("keep-alive", "x-second");
    assertThat(copy(from, Set.of()).names()).containsExactly("X-Kept");
  }

  @Test
  void tokensOfALaterConnectionHeaderCountEvenWhenTheFirstIsEmpty() {
    MultiMap from = headers(
        "Connection", "",
        "Connection", "X-Secret-Hop",
        "X-Secret-Hop", "s",
        "X-Kept", "k");

    assertThat(HopByHop.connectionTokens(from)).containsExactly("x-secret-hop");
    assertThat(copy(from, Set.of()).names()).containsExactly("X-Kept");
  }

  @Test
  void connectionTokensAreLowerCasedAndEmptyWithoutAConnectionHeader() {
    assertThat(HopByHop.connectionTokens(headers("Connection", "Close, X-Foo"))).containsExactlyInAnyOrder("close", "x-foo");
    assertThat(HopByHop.connectionTokens(headers("X-Foo", "1"))).isEmpty();
    assertThat(HopByHop.connectionTokens(headers("Connection", " , "))).isEmpty();
  }

  @Test
  void namesTheCallerReplacesAreSkipped() {
    MultiMap from = headers("Host", "client.example", "X-Request-Id", "abc", "Accept", "*/*");

    MultiMap to = copy(from, Set.of("host", "x-request-id"));

    assertThat(to.names()).containsExactly("Accept");
  }

  @Test
  void endToEndHeadersAreCopiedWithEveryValueInOrder() {
    MultiMap from = headers(
        "Set-Cookie", "a=1",
        "Content-Type", "text/plain",
        "Set-Cookie", "b=2",
        "Authorization", "Bearer t",
        "Cookie", "c=3");

    MultiMap to = copy(from, Set.of());

    assertThat(to.getAll("Set-Cookie")).containsExactly("a=1", "b=2");
    assertThat(to.get("Content-Type")).isEqualTo("text/plain");
    assertThat(to.get("Authorization")).isEqualTo("Bearer t");
    assertThat(to.get("Cookie")).isEqualTo("c=3");
    assertThat(to.entries()).hasSize(5);
  }

  @Test
  void copyingAddsToWhatTheTargetAlreadyHolds() {
    MultiMap to = headers("Via", "1.1 portcullis");

    HopByHop.copyEndToEnd(headers("Via", "1.1 edge", "Connection", "close"), to, Set.of());

    assertThat(to.getAll("Via")).containsExactly("1.1 portcullis", "1.1 edge");
    assertThat(to.entries()).doesNotContain(Map.entry("Connection", "close"));
  }

  /** The headers of an upstream response as Vert.x hands them over: Netty's map behind an adaptor. */
  private static MultiMap responseHeaders(String... nameValues) {
    MultiMap m = new HeadersAdaptor(new DefaultHttpHeaders());
    for (int i = 0; i < nameValues.length; i += 2) {
      m.add(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  @Test
  void aResponsesHeadersLoseTheConnectionNamedOnesToo() {
    MultiMap from = responseHeaders(
        "Connection", "keep-alive",
        "Connection", "X-Second",
        "X-Second", "s",
        "Keep-Alive", "timeout=5",
        "X-Kept", "k");

    assertThat(HopByHop.connectionTokens(from)).containsExactlyInAnyOrder("keep-alive", "x-second");
    assertThat(pairs(copy(from, Set.of()))).containsExactly("X-Kept=k");
  }

  @Test
  void aSingleKeepAliveOrCloseInAnyCaseAndSpacingNamesNoHeader() {
    for (MultiMap from : new MultiMap[] {headers("Connection", " Keep-Alive\t", "X-Kept", "k"),
        responseHeaders("Connection", "CLOSE ", "X-Kept", "k")}) {
      assertThat(HopByHop.connectionTokens(from)).isEmpty();
      assertThat(pairs(copy(from, Set.of()))).containsExactly("X-Kept=k");
    }
  }

  @Test
  void namesAsTheDecoderMadeThemAreCopiedWithTheirSpellingAndEveryValue() {
    MultiMap from = MultiMap.caseInsensitiveMultiMap();
    from.add(AsciiString.of("X-Custom"), "one");
    from.add(AsciiString.of("x-custom"), "two");
    from.add(AsciiString.of("HOST"), "client.example");
    from.add(AsciiString.of("Connection"), "x-CUSTOM-hop");
    from.add(AsciiString.of("X-Custom-Hop"), "dropped");

    MultiMap to = copy(from, Set.of("host"));

    assertThat(pairs(to)).containsExactly("X-Custom=one", "x-custom=two");
  }

  private static List<String> pairs(MultiMap headers) {
    List<String> pairs = new ArrayList<>();
    headers.forEach((name, value) -> pairs.add(name + "=" + value));
    return pairs;
  }
}
