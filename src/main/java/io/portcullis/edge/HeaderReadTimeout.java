package io.portcullis.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Slowloris protection: a client that has started a request head must finish it within the
 * request-header timeout, or its connection is closed (no response: the head never arrived).
 *
 * <p>Two handlers of one connection share the state: this one, before {@code "httpDecoder"},
 * sees the raw bytes and starts the clock at the first byte of a head; the {@link Observer},
 * right after the decoder, sees the decoded {@link HttpRequest} (the head is complete: the
 * clock stops) and the {@link LastHttpContent} (the request is complete: the next byte starts a
 * new head). So neither a keep-alive connection idle between requests (the clock only starts
 * with a byte; {@code idleTimeoutMs} governs idleness) nor a slow request body (the clock is
 * stopped while the body streams; the request deadline governs it) is affected.
 *
 * <p>Hot path: a head that arrives whole in one read starts and stops the clock within that
 * read, and no timer is scheduled: per read there are two clock reads at most, no
 * allocation. A timer (one per connection at a time, never cancelled on completion: when it
 * fires with no head in progress it does nothing) is scheduled only when a read leaves a head
 * incomplete. While the gateway itself stops reading the connection (auto-read off, Vert.x
 * back-pressure) the clock is restarted: that time is not the client's.
 *
 * <p>If the connection stops being decoded as HTTP/1.x ({@code "httpDecoder"} removed), both
 * handlers remove themselves the next time the timer fires.
 *
 * <p>Limitation: bytes of a next head pipelined in the same read as the end of the previous
 * request start the clock only with the next read (the decoder buffers them out of sight);
 * a client that then sends nothing more is left to {@code idleTimeoutMs}.
 */
final class HeaderReadTimeout extends ChannelInboundHandlerAdapter implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(HeaderReadTimeout.class);

  /** Pipeline name of the raw-bytes handler (before {@code "httpDecoder"}). */
  static final String NAME = "headerReadTimeout";
  /** Pipeline name of the decoded-messages observer (after {@code "httpDecoder"}). */
  static final String OBSERVER_NAME = "headerReadTimeoutObserver";

  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  /** The event loop's clock (the system's, or a test's mock). */
  private Ticker ticker;
  /** True from the connection start or the end of a request until the next head is decoded. */
  private boolean awaitingHead = true;
  /** When the first byte of the current head arrived, or {@link #NOT_STARTED}. */
  private long headStartNanos = NOT_STARTED;
  private ScheduledFuture<?> timer;

  /**
   * A timeout of {@code timeoutMs} milliseconds for each request head.
   *
   * @param timeoutMs > 0
   */
  HeaderReadTimeout(long timeoutMs) {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("timeoutMs must be > 0: " + timeoutMs);
    }
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  /**
   * Installs the timeout around {@code "httpDecoder"} of {@code pipeline} (which must have one),
   * on the channel's event loop.
   */
  static void install(ChannelPipeline pipeline, long timeoutMs) {
    HeaderReadTimeout timeout = new HeaderReadTimeout(timeoutMs);
    pipeline.addBefore("httpDecoder", NAME, timeout);
    pipeline.addAfter("httpDecoder", OBSERVER_NAME, timeout.new Observer());
  }

  /**
   * Takes both handlers off {@code pipeline}, if there: for a connection that stops carrying
   * HTTP/1.x requests (upgraded to a WebSocket tunnel), whose bytes must not start the clock.
   * On the channel's event loop.
   */
  static void uninstall(ChannelPipeline pipeline) {
    if (pipeline.get(OBSERVER_NAME) != null) {
      pipeline.remove(OBSERVER_NAME);
    }
    if (pipeline.get(NAME) != null) {
      pipeline.remove(NAME);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.ticker = ctx.executor().ticker();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && headStartNanos == NOT_STARTED && msg instanceof ByteBuf buf && buf.isReadable()) {
      headStartNanos = ticker.nanoTime();
    }
    ctx.fireChannelRead(msg);
    // The decoder has run: if the head is still incomplete, make sure a timer watches it.
    if (headStartNanos != NOT_STARTED && timer == null) {
      schedule(timeoutNanos - (ticker.nanoTime() - headStartNanos));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  /** The timer: closes the connection if the current head has been arriving for too long. */
  @Override
  public void run() {
    timer = null;
    Channel channel = ctx.channel();
    if (headStartNanos == NOT_STARTED || !channel.isActive()) {
      return;
    }
    if (ctx.pipeline().get("httpDecoder") == null) {
      // No longer HTTP/1.x requests (the connection was taken over): nothing to time.
      ctx.pipeline().remove(OBSERVER_NAME);
      ctx.pipeline().remove(this);
      return;
    }
    long now = ticker.nanoTime();
    if (!channel.config().isAutoRead()) {
      headStartNanos = now; // the gateway is not reading: the wait is not the client's
    }
    long left = timeoutNanos - (now - headStartNanos);
    if (left > 0) {
      schedule(left);
      return;
    }
    LOG.debug("closing {}: request head not complete within {} ms", channel.remoteAddress(),
        TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    channel.close();
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      timer = null;
      t.cancel(false);
    }
  }

  /** After the decoder: stops the clock on a decoded head, re-arms at the end of a request. */
  final class Observer extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        awaitingHead = false;
        headStartNanos = NOT_STARTED;
      }
      if (msg instanceof LastHttpContent) {
        awaitingHead = true;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
