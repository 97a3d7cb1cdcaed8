package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.resilience.EventClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link ReadEvents}: each read of a connection is one clock event, and the event ends with the read. */
class ReadEventsTest {

  private final AtomicLong readings = new AtomicLong();
  /** A clock whose source advances by 1 on each reading. */
  private final EventClock clock = new EventClock(() -> 1_000 + readings.incrementAndGet());

  /** Reads the clock twice per message, as a response head and its end in one read would. */
  private final class TwoReadings extends ChannelInboundHandlerAdapter {
    final List<long[]> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      seen.add(new long[] {clock.nanos(), clock.nanos()});
    }
  }

  @Test
  void everythingOneReadSetsOffSharesOneReadingAndTheNextReadTakesItsOwn() {
    TwoReadings reader = new TwoReadings();
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast(reader);
    ReadEvents.install(channel.pipeline());

    channel.writeInbound("head and end");
    channel.writeInbound("next response");

    assertThat(reader.seen).hasSize(2);
    assertThat(reader.seen.get(0)).containsExactly(1_001, 1_001);
    assertThat(reader.seen.get(1)).containsExactly(1_002, 1_002);
    assertThat(readings).hasValue(2);
    // Outside a read, every reading is the source's own: no event was left open.
    assertThat(clock.nanos()).isEqualTo(1_003);
    assertThatThrownBy(EventClock::close).isInstanceOf(IllegalStateException.class);
    channel.finishAndReleaseAll();
  }

  @Test
  void aReadThatThrowsStillEndsItsEvent() {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        clock.nanos();
        throw new IllegalStateException("handler failed");
      }
    });
    ReadEvents.install(channel.pipeline());

    assertThatThrownBy(() -> {
      channel.writeInbound("message");
      channel.checkException();
    }).isInstanceOf(IllegalStateException.class).hasMessage("handler failed");
    assertThatThrownBy(EventClock::close).isInstanceOf(IllegalStateException.class);
    channel.finishAndReleaseAll();
  }

  @Test
  void installingTwiceKeepsOneHandler() {
    EmbeddedChannel channel = new EmbeddedChannel();
    ReadEvents.install(channel.pipeline());
    ReadEvents.install(channel.pipeline());
    assertThat(channel.pipeline().names()).containsOnlyOnce(ReadEvents.NAME);
    channel.finishAndReleaseAll();
  }
}
