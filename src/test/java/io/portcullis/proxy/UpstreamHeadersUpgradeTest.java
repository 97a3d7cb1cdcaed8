package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.http.HopByHop;
import io.vertx.core.MultiMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The upstream headers of a WebSocket handshake: hop-by-hop rules still hold, the upgrade is asked anew. */
class UpstreamHeadersUpgradeTest {

  private final MultiMap client = MultiMap.caseInsensitiveMultiMap()
      .add("Host", "gw")
      .add("Connection", "keep-alive, Upgrade, X-Hop")
      .add("Upgrade", "websocket")
      .add("X-Hop", "named in Connection")
      .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
      .add("Sec-WebSocket-Version", "13")
      .add("Sec-WebSocket-Protocol", "chat")
      .add("Sec-WebSocket-Extensions", "permessage-deflate");
  private final UpstreamHeaders plain = new UpstreamHeaders(client, HopByHop.skipping(Set.of("host")), "rid-1",
      "127.0.0.1", "http", "gw", "1.1 portcullis");

  @Test
  void plainForwardingDropsTheUpgrade() {
    MultiMap sent = plain.toMultiMap();
    assertThat(sent.get("Upgrade")).isNull();
    assertThat(sent.get("Connection")).isNull();
    assertThat(sent.get("X-Hop")).isNull();
  }

  @Test
  void anUpgradeSendsUpgradeAndConnectionForThisHopAndTheHandshakeHeadersEndToEnd() {
    MultiMap sent = plain.upgrading("websocket").toMultiMap();
    assertThat(sent.getAll("Upgrade")).containsExactly("websocket");
    assertThat(sent.getAll("Connection")).containsExactly("Upgrade");
    assertThat(sent.get("X-Hop")).as("still a hop-by-hop header of the client's hop").isNull();
    assertThat(sent.get("Sec-WebSocket-Key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
    assertThat(sent.get("Sec-WebSocket-Version")).isEqualTo("13");
    assertThat(sent.get("Sec-WebSocket-Protocol")).isEqualTo("chat");
    assertThat(sent.get("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate");
    assertThat(sent.get("X-Request-Id")).isEqualTo("rid-1");
    assertThat(sent.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(sent.get("Via")).isEqualTo("1.1 portcullis");
  }
}
