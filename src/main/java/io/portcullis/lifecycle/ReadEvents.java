package io.portcullis.lifecycle;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.portcullis.resilience.EventClock;

/**
 * Makes each read of an upstream connection one {@code resilience.EventClock} event: whatever the
 * read sets off reads the gateway's clock once. A small response comes in one read, its head and
 * its end together, so the attempt's end, the retry decision, the concurrency permit's round trip
 * and the request's end (its duration in the metrics and the access log) share one reading, where
 * the response's end read the clock again. Stateless and shared; confined to whichever event loop
 * runs the read.
 */
@ChannelHandler.Sharable
final class ReadEvents extends ChannelInboundHandlerAdapter {

  /** The handler's name in a pipeline. */
  static final String NAME = "readEvents";
  private static final ReadEvents INSTANCE = new ReadEvents();

  private ReadEvents() {
  }

  /** Puts the handler first in {@code pipeline} unless it has it. */
  static void install(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, INSTANCE);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    EventClock.open();
    try {
      ctx.fireChannelRead(msg);
    } finally {
      EventClock.close();
    }
  }
}
