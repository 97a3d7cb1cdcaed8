package io.portcullis.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cleartext HTTP/2 with prior knowledge ({@code server.h2c}, RFC 9113 §3.3): sits in front of the
 * (strict) HTTP/1.x decoder of a new cleartext connection and looks at its first bytes. If they
 * are the HTTP/2 connection preface, the connection is switched to HTTP/2 ({@code toHttp2}); at
 * the first byte that differs, it removes itself and the bytes go on to the HTTP/1.x decoder
 * untouched. The HTTP/1.1 {@code Upgrade: h2c} exchange is not offered: {@code Upgrade} is a
 * hop-by-hop header like any other.
 */
final class PriorKnowledgeDetector extends ChannelInboundHandlerAdapter {

  /** Pipeline name (just before {@code "httpDecoder"}). */
  static final String NAME = "h2cPriorKnowledge";

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Consumer<ChannelHandlerContext> toHttp2;
  /** How many bytes of the preface have arrived so far (and been held back). */
  private int matched;

  /** {@code toHttp2} replaces the HTTP/1.x handlers of the context's pipeline with HTTP/2 ones. */
  PriorKnowledgeDetector(Consumer<ChannelHandlerContext> toHttp2) {
    this.toHttp2 = toHttp2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int n = Math.min(buf.readableBytes(), PREFACE.length - matched);
    for (int i = 0; i < n; i++) {
      if (buf.getByte(buf.readerIndex() + i) != PREFACE[matched + i]) {
        end(ctx, buf, false);
        return;
      }
    }
    if (matched + n == PREFACE.length) {
      end(ctx, buf, true);
    } else {
      matched += n; // the whole buffer is a beginning of the preface: hold it back
      buf.release();
    }
  }

  private void end(ChannelHandlerContext ctx, ByteBuf buf, boolean http2) {
    ByteBuf bytes = buf;
    if (matched > 0) {
      bytes = Unpooled.buffer(matched + buf.readableBytes());
      bytes.writeBytes(PREFACE, 0, matched);
      bytes.writeBytes(buf);
      buf.release();
    }
    if (http2) {
      toHttp2.accept(ctx);
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(bytes);
  }
}
