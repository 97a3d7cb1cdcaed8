package io.portcullis.edge;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;

import java.util.concurrent.TimeUnit;

/**
 * {@code server.idleTimeoutMs} on one client connection (README "server"): when no byte was read
 * and nothing was written for that long, it tells the connection as Netty's
 * {@link IdleStateHandler} would ({@link IdleStateEvent#ALL_IDLE_STATE_EVENT}), and Vert.x closes
 * it. It takes the place of Vert.x's own {@code IdleStateHandler} (same pipeline name) because
 * that one reads the clock on every read and wraps every write's promise in a listener; this one
 * only sets a flag per read and write and looks at it from a timer every quarter of the timeout.
 * So a connection is closed between the timeout and 1.25 times it after its last byte, never
 * before. Confined to the connection's event loop.
 */
final class IdleTimeout extends ChannelDuplexHandler implements Runnable {

  /** Vert.x's pipeline name for the idle handler, kept so Vert.x finds its place as before. */
  static final String NAME = "idle";
  private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final long timeoutNanos;
  private final long tickNanos;
  private ChannelHandlerContext ctx;
  private Ticker ticker;
  /** A read or a write since the last tick. */
  private boolean active;
  /** When a tick last saw activity (or the handler started). */
  private long lastActiveNanos;
  private ScheduledFuture<?> timer;
  private boolean stopped;

  /** @param timeoutMs the idle time after which the connection is closed, > 0 */
  IdleTimeout(long timeoutMs) {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("timeoutMs must be > 0: " + timeoutMs);
    }
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.tickNanos = Math.max(MIN_TICK_NANOS, timeoutNanos / 4);
  }

  /**
   * Replaces Vert.x's idle handler of a server connection with an {@code IdleTimeout} of the same
   * timeout; a pipeline without one (no idle timeout), or with one watching reads or writes only,
   * is left alone.
   */
  static void replaceIn(io.netty.channel.ChannelPipeline pipeline) {
    if (pipeline.get(NAME) instanceof IdleStateHandler vertx && vertx.getReaderIdleTimeInMillis() == 0
        && vertx.getWriterIdleTimeInMillis() == 0 && vertx.getAllIdleTimeInMillis() > 0) {
      pipeline.replace(NAME, NAME, new IdleTimeout(vertx.getAllIdleTimeInMillis()));
    }
  }

  /** The idle time after which the connection is told it is idle. */
  long timeoutMs() {
    return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.ticker = ctx.executor().ticker();
    this.lastActiveNanos = ticker.nanoTime();
    if (ctx.channel().isActive()) {
      schedule(tickNanos);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (timer == null && !stopped) {
      lastActiveNanos = ticker.nanoTime();
      schedule(tickNanos);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    active = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    active = true;
    ctx.write(msg, promise);
  }

  /** The tick: notes activity seen since the last one, or tells the connection it is idle. */
  @Override
  public void run() {
    timer = null;
    if (stopped || !ctx.channel().isOpen()) {
      return;
    }
    long now = ticker.nanoTime();
    if (active) {
      active = false;
      lastActiveNanos = now;
    }
    long idle = now - lastActiveNanos;
    if (idle >= timeoutNanos) {
      // As Netty's handler does, it tells again a timeout later should the connection stay open.
      lastActiveNanos = now;
      schedule(tickNanos);
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
      return;
    }
    schedule(Math.min(tickNanos, timeoutNanos - idle));
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    stopped = true;
    ScheduledFuture<?> t = timer;
    if (t != null) {
      timer = null;
      t.cancel(false);
    }
  }
}
