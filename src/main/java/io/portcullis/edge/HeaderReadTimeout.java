package io.portcullis.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Slowloris protection: a client that has started a request head must finish it within the
 * request-header timeout, or its connection is closed (no response: the head never arrived).
 *
 * <p>Kept by the connection's {@link StrictRequestDecoder}, which tells it when bytes arrive
 * ({@link #reading}: a head starts with its first byte), when a head has been decoded
 * ({@link #headDecoded}: the clock stops) and when a request has ended ({@link #requestEnded}: the
 * next byte starts a new head), and after each read ({@link #afterRead}). So neither a keep-alive
 * connection idle between requests (the clock only starts with a byte; {@code idleTimeoutMs}
 * governs idleness) nor a slow request body (the clock is stopped while the body streams; the
 * request deadline governs it) is affected. Living in the decoder rather than in two pipeline
 * handlers around it, it adds no handler to the path of every read and every decoded message.
 *
 * <p>Hot path: a head that arrives whole in one read starts and stops the clock within that
 * read without reading it, and no timer is scheduled: no clock read, no allocation. The clock is
 * read when a read leaves a head incomplete, and the head's time counts from the end of that read
 * (microseconds after its first byte). A timer (one per connection at a time, never cancelled on
 * completion: when it fires with no head in progress it does nothing) is scheduled only then. While the
 * gateway itself stops reading the connection (auto-read off, Vert.x back-pressure) the clock is
 * restarted: that time is not the client's. When the decoder leaves the pipeline (the connection
 * became a tunnel or HTTP/2), the timer goes with it.
 *
 * <p>Limitation: bytes of a next head pipelined in the same read as the end of the previous
 * request start the clock only with the next read (the decoder buffers them out of sight); a
 * client that then sends nothing more is left to {@code idleTimeoutMs}.
 */
final class HeaderReadTimeout implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(HeaderReadTimeout.class);
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  /** The event loop's clock (the system's, or a test's mock). */
  private Ticker ticker;
  /** True from the connection start or the end of a request until the next head is decoded. */
  private boolean awaitingHead = true;
  /** A read brought the first bytes of the current head. */
  private boolean started;
  /**
   * When the first read of the current head ended, if it left the head incomplete; else
   * {@link #NOT_STARTED}.
   */
  private long headStartNanos = NOT_STARTED;
  private ScheduledFuture<?> timer;
  private boolean stopped;

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

  /** The decoder joined {@code ctx}'s pipeline. */
  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.ticker = ctx.executor().ticker();
  }

  /** {@code msg} is about to be decoded: the first byte of a head starts the head. */
  void reading(Object msg) {
    if (awaitingHead && !started && !stopped && msg instanceof ByteBuf buf && buf.isReadable()) {
      started = true;
    }
  }

  /** A read was decoded: if it left a head incomplete, the clock starts and a timer watches it. */
  void afterRead() {
    if (started && headStartNanos == NOT_STARTED && !stopped) {
      headStartNanos = ticker.nanoTime();
      if (timer == null) {
        schedule(timeoutNanos);
      }
    }
  }

  /** A whole head was decoded: the clock stops. */
  void headDecoded() {
    awaitingHead = false;
    started = false;
    headStartNanos = NOT_STARTED;
  }

  /** The request ended: the next byte starts a new head. */
  void requestEnded() {
    awaitingHead = true;
  }

  /** No more heads on this connection (it closed, or is no longer decoded as HTTP/1.x). */
  void stop() {
    stopped = true;
    started = false;
    headStartNanos = NOT_STARTED;
    ScheduledFuture<?> t = timer;
    if (t != null) {
      timer = null;
      t.cancel(false);
    }
  }

  /** The timer: closes the connection if the current head has been arriving for too long. */
  @Override
  public void run() {
    timer = null;
    Channel channel = ctx.channel();
    if (stopped || headStartNanos == NOT_STARTED || !channel.isActive()) {
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
}
