package io.portcullis.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LoopFlushes}: a flush waits for the task the loop runs after its I/O pass, several flushes
 * in one pass go out as one, and nothing waits past a lost writability, a close (a disconnect is one), the
 * handler's removal or a loop that runs no more tasks. The pass is a task on a real event loop
 * (Netty's local transport, one thread) that ends before the loop's next task; the
 * {@link EmbeddedChannel} cases count flushes only where it runs no task behind the test's back
 * (its own writes run the loop's pending tasks).
 */
class LoopFlushesTest {

  private EmbeddedChannel channel;
  /** Flushes that passed the handler, toward the socket. */
  private int flushesOut;
  private EventLoopGroup loop;
  /** What the server side read, per connection, in order; "|closed" when the connection ended. */
  private final List<StringBuilder> received = new CopyOnWriteArrayList<>();

  private EmbeddedChannel channel(LoopFlushes handler) {
    channel = new EmbeddedChannel();
    channel.pipeline().addFirst(LoopFlushes.NAME, handler);
    channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushesOut++;
        ctx.flush();
      }
    });
    return channel;
  }

  @AfterEach
  void release() throws InterruptedException {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
    if (loop != null) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  private List<String> written() {
    List<String> out = new ArrayList<>();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      out.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
      ReferenceCountUtil.release(msg);
    }
    return out;
  }

  /** {@code count} client connections with a {@code LoopFlushes} each, to a server on one loop. */
  private List<Channel> connections(int count) throws Exception {
    loop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress("loop-flushes-" + System.nanoTime());
    new ServerBootstrap().group(loop).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            StringBuilder text = new StringBuilder();
            received.add(text);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                synchronized (text) {
                  text.append(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                }
                ReferenceCountUtil.release(msg);
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                synchronized (text) {
                  text.append("|closed");
                }
              }
            });
          }
        })
        .bind(address).sync();
    Bootstrap client = new Bootstrap().group(loop).channel(LocalChannel.class)
        .handler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            LoopFlushes.install(ch.pipeline());
          }
        });
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      channels.add(client.connect(address).sync().channel());
    }
    return channels;
  }

  /** Runs {@code pass} as one task of the loop and returns what it returned. */
  private <T> T inOnePass(Callable<T> pass) throws Exception {
    return loop.submit(pass).get(10, TimeUnit.SECONDS);
  }

  private static long held(Channel channel) {
    return channel.unsafe().outboundBuffer() == null ? 0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
  }

  /** The texts received, once every connection shows {@code expected} (in any order). */
  private void awaitReceived(String... expected) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> now = List.of();
    while (System.nanoTime() < until) {
      now = received.stream().map(b -> {
        synchronized (b) {
          return b.toString();
        }
      }).toList();
      if (now.size() == expected.length && now.containsAll(List.of(expected))) {
        return;
      }
      Thread.sleep(5);
    }
    assertThat(now).containsExactlyInAnyOrder(expected);
  }

  @Test
  @Timeout(30)
  void theConnectionsOfOneLoopHoldTheirBytesUntilThePassEndsThenAllLeave() throws Exception {
    List<Channel> two = connections(2);

    long[] heldDuringThePass = inOnePass(() -> {
      two.get(0).writeAndFlush(bytes("one"));
      two.get(1).writeAndFlush(bytes("two"));
      return new long[] {held(two.get(0)), held(two.get(1))};
    });

    assertThat(heldDuringThePass[0]).isPositive();
    assertThat(heldDuringThePass[1]).isPositive();
    long[] heldAfter = inOnePass(() -> new long[] {held(two.get(0)), held(two.get(1))});
    assertThat(heldAfter).containsExactly(0, 0);
    awaitReceived("one", "two");
  }

  @Test
  @Timeout(30)
  void aConnectionTurningUnwritableIsFlushedAtOnce() throws Exception {
    Channel connection = connections(1).get(0);
    connection.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
    String large = "x".repeat(4096);

    long[] held = inOnePass(() -> {
      connection.writeAndFlush(bytes("small"));
      long before = held(connection);
      boolean writableBefore = connection.isWritable();
      connection.write(bytes(large)); // past the high-water mark; the flush asked for before goes now
      return new long[] {before, writableBefore ? 1 : 0, held(connection)};
    });

    assertThat(held[0]).isPositive();
    assertThat(held[1]).as("writable after the small write").isOne();
    assertThat(held[2]).isZero();
    awaitReceived("small" + large);
  }

  @Test
  @Timeout(30)
  void aCloseFlushesFirst() throws Exception {
    Channel connection = connections(1).get(0);

    inOnePass(() -> {
      connection.writeAndFlush(bytes("last words"));
      return connection.close();
    });

    awaitReceived("last words|closed");
  }

  @Test
  @Timeout(30)
  void aDisconnectFlushesFirst() throws Exception {
    Channel connection = connections(1).get(0);

    inOnePass(() -> {
      connection.writeAndFlush(bytes("bye"));
      return connection.disconnect();
    });

    awaitReceived("bye|closed");
  }

  @Test
  @Timeout(30)
  void takingTheHandlerOutFlushesWhatItHeld() throws Exception {
    Channel connection = connections(1).get(0);

    long heldAfterRemoval = inOnePass(() -> {
      connection.writeAndFlush(bytes("held"));
      connection.pipeline().remove(LoopFlushes.NAME);
      return held(connection);
    });

    assertThat(heldAfterRemoval).isZero();
    awaitReceived("held");
  }

  @Test
  void severalFlushesInOnePassLeaveAsOne() {
    channel(new LoopFlushes());
    channel.pipeline().write(bytes("a"));
    channel.pipeline().write(bytes("b"));
    channel.pipeline().flush();
    channel.pipeline().flush();
    assertThat(flushesOut).isZero();
    assertThat(written()).isEmpty();

    channel.runPendingTasks();

    assertThat(flushesOut).isOne();
    assertThat(written()).containsExactly("a", "b");
    channel.runPendingTasks();
    assertThat(flushesOut).isOne();
  }

  @Test
  void aWriteWithoutAFlushIsNotFlushedByThePass() {
    channel(new LoopFlushes());
    channel.pipeline().write(bytes("unflushed"));

    channel.runPendingTasks();

    assertThat(flushesOut).isZero();
    assertThat(written()).isEmpty();
  }

  @Test
  void aLoopThatRefusesTheTaskGetsTheFlushAtOnce() {
    channel(new LoopFlushes(task -> {
      throw new RejectedExecutionException("event loop shut down");
    }));

    channel.pipeline().writeAndFlush(bytes("now"));

    assertThat(flushesOut).isOne();
    assertThat(written()).containsExactly("now");
    channel.pipeline().writeAndFlush(bytes("again"));
    assertThat(flushesOut).isEqualTo(2);
    assertThat(written()).containsExactly("again");
  }

  @Test
  void installingTwiceLeavesOneHandlerFirstInThePipeline() {
    channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    LoopFlushes.install(channel.pipeline());
    LoopFlushes.install(channel.pipeline());

    assertThat(channel.pipeline().names().stream().filter(LoopFlushes.NAME::equals)).hasSize(1);
    assertThat(channel.pipeline().first()).isInstanceOf(LoopFlushes.class);
  }
}
