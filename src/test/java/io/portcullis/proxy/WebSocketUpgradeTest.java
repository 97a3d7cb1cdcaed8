package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which requests are WebSocket handshakes (RFC 6455 §4.1), one story per row. */
class WebSocketUpgradeTest {

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("the canonical handshake", HttpMethod.GET, HttpVersion.HTTP_1_1, "websocket", "Upgrade", true),
        Arguments.of("tokens compare case-insensitively", HttpMethod.GET, HttpVersion.HTTP_1_1, "WebSocket", "upgrade", true),
        Arguments.of("Connection listing several tokens (Firefox)", HttpMethod.GET, HttpVersion.HTTP_1_1, "websocket",
            "keep-alive, Upgrade", true),
        Arguments.of("Upgrade listing several protocols", HttpMethod.GET, HttpVersion.HTTP_1_1, "h2c, websocket",
            "Upgrade", true),
        Arguments.of("a POST is not a handshake", HttpMethod.POST, HttpVersion.HTTP_1_1, "websocket", "Upgrade", false),
        Arguments.of("HTTP/1.0 has no upgrade", HttpMethod.GET, HttpVersion.HTTP_1_0, "websocket", "Upgrade", false),
        Arguments.of("HTTP/2 WebSockets are out of scope", HttpMethod.GET, HttpVersion.HTTP_2, "websocket", "Upgrade",
            false),
        Arguments.of("another protocol", HttpMethod.GET, HttpVersion.HTTP_1_1, "h2c", "Upgrade", false),
        Arguments.of("a token that only contains the word", HttpMethod.GET, HttpVersion.HTTP_1_1, "websocketx",
            "Upgrade", false),
        Arguments.of("Upgrade without Connection: upgrade", HttpMethod.GET, HttpVersion.HTTP_1_1, "websocket",
            "keep-alive", false),
        Arguments.of("no Upgrade header", HttpMethod.GET, HttpVersion.HTTP_1_1, null, "Upgrade", false),
        Arguments.of("no Connection header", HttpMethod.GET, HttpVersion.HTTP_1_1, "websocket", null, false));
  }

  @Test
  void aRequestWithABodyIsNotAHandshake() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Upgrade", "websocket").add("Connection", "Upgrade");
    assertThat(WebSocketUpgrade.isRequested(HttpMethod.GET, HttpVersion.HTTP_1_1,
        MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Content-Length", "0"))).isTrue();
    assertThat(WebSocketUpgrade.isRequested(HttpMethod.GET, HttpVersion.HTTP_1_1,
        MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Content-Length", "5"))).isFalse();
    assertThat(WebSocketUpgrade.isRequested(HttpMethod.GET, HttpVersion.HTTP_1_1,
        MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Transfer-Encoding", "chunked"))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void recognisesOnlyHttp11GetWithBothTokens(String story, HttpMethod method, HttpVersion version, String upgrade,
                                             String connection, boolean expected) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (upgrade != null) {
      headers.add("Upgrade", upgrade);
    }
    if (connection != null) {
      headers.add("Connection", connection);
    }
    assertThat(WebSocketUpgrade.isRequested(method, version, headers)).as(story).isEqualTo(expected);
  }
}
