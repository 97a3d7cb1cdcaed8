package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderReadTimeout}, kept by the {@link StrictRequestDecoder}, on an {@link EmbeddedChannel}
 * with frozen time: only a started, unfinished request head is timed; idleness between requests
 * and slow bodies are not.
 */
class HeaderReadTimeoutTest {

  private static final long TIMEOUT_MS = 1_500;

  private EmbeddedChannel channel;
  private StrictRequestDecoder decoder;

  @BeforeEach
  void channel() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    decoder = new StrictRequestDecoder(new HttpServerOptions(), TIMEOUT_MS);
    channel.pipeline().addLast("httpDecoder", decoder);
  }

  @AfterEach
  void close() {
    drain();
    channel.finishAndReleaseAll();
  }

  @Test
  void theDefaultIsTenSeconds() {
    assertThat(EdgeConnections.DEFAULT_REQUEST_HEADER_TIMEOUT_MS).isEqualTo(10_000L);
  }

  @Test
  void aPartialHeadIsClosedAtTheTimeoutNotBefore() {
    send("GET / HTTP/1.1\r\nHost: x\r\n");
    advance(TIMEOUT_MS - 1);
    send("X-A: 1\r\n"); // more bytes do not restart the clock
    assertThat(channel.isOpen()).isTrue();
    advance(1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aWholeHeadInOneReadSchedulesNothing() {
    send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(channel.hasPendingTasks()).as("no timer for a head that arrived whole").isFalse();
  }

  @Test
  void aConnectionIdleBeforeOrBetweenRequestsIsNotTimed() {
    advance(TimeUnit.HOURS.toMillis(1));
    send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
    advance(TimeUnit.HOURS.toMillis(1));
    assertThat(channel.isOpen()).isTrue();
    send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aSlowBodyIsNotTimed() {
    send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
    for (int i = 0; i < 3; i++) {
      advance(TIMEOUT_MS * 10);
      send("x");
    }
    assertThat(channel.isOpen()).isTrue();
    send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    advance(TIMEOUT_MS * 10);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aHeadInPiecesThatCompletesInTimeIsKeptAndTheNextHeadGetsAFreshClock() {
    send("GET /1 HTTP/1.1\r\n");
    advance(TIMEOUT_MS - 100);
    send("Host: x\r\n\r\n");
    assertThat(channel.isOpen()).isTrue();
    advance(50);
    send("GET /2 HTTP/1.1\r\n"); // the first timer fires at 1 500 ms into this head's clock
    advance(TIMEOUT_MS - 1);
    assertThat(channel.isOpen()).as("the old timer does not judge the new head").isTrue();
    advance(1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void timeTheGatewaySpendsNotReadingIsNotCharged() {
    send("GET / HTTP/1.1\r\n");
    channel.config().setAutoRead(false);
    advance(TIMEOUT_MS);
    assertThat(channel.isOpen()).as("the clock restarts while reads are off").isTrue();
    channel.config().setAutoRead(true);
    advance(TIMEOUT_MS);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aConnectionNoLongerDecodedAsHttpIsLeftAlone() {
    send("GET / HTTP/1.1\r\n");
    channel.pipeline().remove("httpDecoder"); // e.g. taken over as a raw socket, or HTTP/2
    advance(TIMEOUT_MS);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void anUpgradedConnectionsBytesAreNeverTimed() {
    send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    decoder.stopHeaderTimeout(); // what the tunnel does, should the decoder stay
    decoder.stopHeaderTimeout(); // a second call is harmless

    send("GET /not-a-head"); // bytes that would start a head's clock, then silence
    advance(10 * TIMEOUT_MS);
    assertThat(channel.isOpen()).isTrue();
  }



  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    drain();
  }

  private void advance(long ms) {
    channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  private void drain() {
    Object msg;
    while ((msg = channel.readInbound()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
