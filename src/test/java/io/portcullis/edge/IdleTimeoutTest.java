package io.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleTimeout} on an {@link EmbeddedChannel} with frozen time: the connection is told it is
 * idle no sooner than the timeout after its last read or write, and at most a quarter of the
 * timeout later; reads and writes both keep it alive.
 */
class IdleTimeoutTest {

  private static final long TIMEOUT_MS = 1_000;

  private EmbeddedChannel channel;
  private final List<Object> events = new ArrayList<>();

  @BeforeEach
  void channel() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    channel.pipeline().addLast(IdleTimeout.NAME, new IdleTimeout(TIMEOUT_MS));
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        events.add(evt);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
      }
    });
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void aQuietConnectionIsToldItIsIdleAtTheTimeoutNotBefore() {
    advance(TIMEOUT_MS - 1);
    assertThat(events).isEmpty();
    advance(1);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Test
  void aReadKeepsTheConnectionForAWholeTimeoutAndAtMostAQuarterMore() {
    advance(TIMEOUT_MS / 2);
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
    advance(TIMEOUT_MS - 1);
    assertThat(events).as("idle less than the timeout since the read").isEmpty();
    advance(TIMEOUT_MS / 4 + 1);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Test
  void aWriteKeepsTheConnectionAsAReadDoes() {
    advance(TIMEOUT_MS * 3 / 4 + 1);
    channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {1}));
    ReferenceCountUtil.release(channel.readOutbound());
    advance(TIMEOUT_MS - 1);
    assertThat(events).isEmpty();
    advance(TIMEOUT_MS / 4 + 1);
    assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Test
  void steadyTrafficIsNeverIdle() {
    for (int i = 0; i < 20; i++) {
      advance(TIMEOUT_MS / 2);
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
    }
    assertThat(events).isEmpty();
  }

  @Test
  void itTakesThePlaceOfVertxsAllIdleHandlerOnlyAndKeepsItsTimeout() {
    EmbeddedChannel vertx = new EmbeddedChannel();
    vertx.pipeline().addLast(IdleTimeout.NAME, new IdleStateHandler(0, 0, 7, TimeUnit.SECONDS));
    IdleTimeout.replaceIn(vertx.pipeline());
    assertThat(vertx.pipeline().get(IdleTimeout.NAME)).isInstanceOf(IdleTimeout.class);
    assertThat(((IdleTimeout) vertx.pipeline().get(IdleTimeout.NAME)).timeoutMs()).isEqualTo(7_000);
    vertx.finishAndReleaseAll();

    EmbeddedChannel readOnly = new EmbeddedChannel();
    readOnly.pipeline().addLast(IdleTimeout.NAME, new IdleStateHandler(5, 0, 0, TimeUnit.SECONDS));
    IdleTimeout.replaceIn(readOnly.pipeline());
    assertThat(readOnly.pipeline().get(IdleTimeout.NAME)).isInstanceOf(IdleStateHandler.class);
    readOnly.finishAndReleaseAll();
  }

  @Test
  void aClosedConnectionLeavesNoTimer() {
    channel.close();
    assertThat(channel.hasPendingTasks()).isFalse();
  }

  /** Moves the frozen clock on in 1 ms steps, running every timer that falls due on the way. */
  private void advance(long ms) {
    for (long i = 0; i < ms; i++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      channel.runPendingTasks();
      channel.runScheduledPendingTasks();
    }
  }
}
