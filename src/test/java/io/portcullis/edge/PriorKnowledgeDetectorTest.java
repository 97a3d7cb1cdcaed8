package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The h2c prior-knowledge detector on an embedded channel: the preface in any split switches the
 * connection once; anything else reaches the HTTP/1.x decoder byte for byte, held-back bytes
 * included; either way the detector leaves the pipeline.
 */
class PriorKnowledgeDetectorTest {

  private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  private final AtomicInteger switches = new AtomicInteger();
  private final EmbeddedChannel channel = new EmbeddedChannel(
      new PriorKnowledgeDetector(ctx -> switches.incrementAndGet()));

  @Test
  void prefaceArrivingByteByByteSwitchesOnceAndPassesEveryByteOn() {
    String sent = PREFACE + "\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000";
    byte[] bytes = sent.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < PREFACE.length() - 1; i++) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[i]}));
      assertThat(switches.get()).isZero();
    }
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {bytes[PREFACE.length() - 1]}));
    assertThat(switches.get()).isEqualTo(1);
    channel.writeInbound(Unpooled.wrappedBuffer(bytes, PREFACE.length(), bytes.length - PREFACE.length()));

    assertThat(switches.get()).isEqualTo(1);
    assertThat(channel.pipeline().get(PriorKnowledgeDetector.class)).isNull();
    assertThat(received()).isEqualTo(sent);
  }

  @Test
  void http11RequestThatStartsLikeThePrefaceIsPassedOnWhole() {
    channel.writeInbound(Unpooled.copiedBuffer("PR", StandardCharsets.ISO_8859_1));
    assertThat(channel.inboundMessages()).isEmpty();
    channel.writeInbound(Unpooled.copiedBuffer("I * HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.ISO_8859_1));

    assertThat(switches.get()).isZero();
    assertThat(channel.pipeline().get(PriorKnowledgeDetector.class)).isNull();
    assertThat(received()).isEqualTo("PRI * HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  @Test
  void ordinaryRequestIsPassedOnAtItsFirstByte() {
    channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.ISO_8859_1));

    assertThat(switches.get()).isZero();
    assertThat(channel.pipeline().get(PriorKnowledgeDetector.class)).isNull();
    assertThat(received()).isEqualTo("GET / HTTP/1.1\r\n");
  }

  private String received() {
    StringBuilder text = new StringBuilder();
    for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
      ByteBuf buf = (ByteBuf) msg;
      text.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return text.toString();
  }
}
