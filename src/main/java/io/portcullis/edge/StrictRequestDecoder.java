package io.portcullis.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.http.HeadScanner;
import io.portcullis.http.RequestFraming;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.http.impl.headers.HeadersAdaptor;

import java.util.List;

/**
 * Vert.x's request decoder, made strict enough for a gateway (RFC 9112, README "How a request flows"). Every
 * request head is checked here, while it is decoded, and a head that must be refused becomes an
 * invalid message: Vert.x hands it to the invalid-request handler (400, or 431 when the field
 * section is too large), and this decoder discards every later byte of the connection, so a
 * request pipelined behind a refused one (the smuggling payload) is never decoded, let alone
 * forwarded.
 *
 * <ul>
 *   <li>The framing and Host rules of {@link RequestFraming#headProblem} are applied with the
 *       field lines counted as received: Netty merges repeated {@code Content-Length} lines of an
 *       HTTP/1.0 request into one, and would otherwise drop {@code Content-Length} next to
 *       {@code Transfer-Encoding: chunked}.</li>
 *   <li>The raw bytes of the head go through a {@link HeadScanner}: bare CR or LF, control
 *       characters, a loose request line and obs-fold (which Netty silently unfolds) are
 *       refused, and the field section is measured as it is on the wire.</li>
 *   <li>A field line with an empty name is refused (Netty accepts {@code ": value"}).</li>
 *   <li>A version other than exactly {@code HTTP/1.0} or {@code HTTP/1.1} is refused (Netty
 *       accepts any {@code NAME/x.y}; Vert.x would answer 501 without the JSON body, echoing it).</li>
 * </ul>
 * Accepted heads carry {@link RequestFraming#VETTED} so the request handler does not check them
 * again. The decoder also keeps the connection's request-header timeout ({@link HeaderReadTimeout}).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  private final HeadScanner scanner;
  /** The request-header timeout of this connection, or null when it is off. */
  private final HeaderReadTimeout headerTimeout;
  /** Whether the next bytes the decoder consumes belong to a request head. */
  private boolean inHead = true;
  /** Once a head is refused, every later byte is discarded. */
  private boolean rejected;
  private int hostLines;
  private int contentLengthLines;
  private int transferEncodingLines;
  private String versionProblem;

  /** @param headerTimeoutMs the request-header timeout ({@link HeaderReadTimeout}); 0 or less: none */
  StrictRequestDecoder(HttpServerOptions options, long headerTimeoutMs) {
    super(options);
    this.scanner = new HeadScanner(options.getMaxHeaderSize());
    this.headerTimeout = headerTimeoutMs > 0 ? new HeaderReadTimeout(headerTimeoutMs) : null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (headerTimeout != null) {
      headerTimeout.attach(ctx);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (headerTimeout == null) {
      super.channelRead(ctx, msg);
      return;
    }
    headerTimeout.reading(msg);
    super.channelRead(ctx, msg);
    headerTimeout.afterRead();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopHeaderTimeout();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    stopHeaderTimeout(); // the connection is no longer decoded as HTTP/1.x (a tunnel, HTTP/2)
    super.handlerRemoved0(ctx);
  }

  /** The connection carries no more request heads (it became a tunnel): nothing is timed any more. */
  void stopHeaderTimeout() {
    if (headerTimeout != null) {
      headerTimeout.stop();
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (rejected) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    int from = buffer.readerIndex();
    int first = out.size();
    boolean head = inHead;
    super.decode(ctx, buffer, out);
    int consumed = buffer.readerIndex() - from;
    if (head && consumed > 0 && scanner.violation() == null) {
      // Netty consumes a head whole lines at a time, never together with body bytes.
      buffer.forEachByte(from, consumed, scanner);
    }
    for (int i = first; i < out.size(); i++) {
      Object msg = out.get(i);
      if (msg instanceof HttpMessage message) {
        if (headerTimeout != null) {
          headerTimeout.headDecoded();
        }
        if (message.decoderResult().isFailure()) {
          rejected = true; // Netty refused it itself and discards the rest
          return;
        }
        Exception violation = scanner.violation();
        if (violation != null) {
          refuse(message, violation, buffer, out, i);
          return;
        }
        inHead = false;
      }
      if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        rejected = true; // a broken chunk: Netty discards the rest
        return;
      }
      if (msg instanceof LastHttpContent) {
        inHead = true;
        scanner.reset();
        if (headerTimeout != null) {
          headerTimeout.requestEnded();
        }
      }
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (rejected) {
      in.skipBytes(in.readableBytes());
      return;
    }
    super.decodeLast(ctx, in, out);
  }

  /** Turns an already decoded head into an invalid message and stops decoding the connection. */
  private void refuse(HttpMessage message, Exception cause, ByteBuf buffer, List<Object> out, int index) {
    message.setDecoderResult(DecoderResult.failure(cause));
    while (out.size() > index + 1) {
      ReferenceCountUtil.release(out.remove(out.size() - 1));
    }
    rejected = true;
    buffer.skipBytes(buffer.readableBytes());
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    hostLines = 0;
    contentLengthLines = 0;
    transferEncodingLines = 0;
    versionProblem = null;
    String version = initialLine[2];
    if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
      // Refused once the head is read (isContentAlwaysEmpty); decoded as HTTP/1.1 meanwhile, so
      // that the 400 goes out as HTTP/1.1 rather than echoing a version this server does not speak.
      versionProblem = "unsupported HTTP version \"" + version + "\"";
      initialLine[2] = "HTTP/1.1";
    }
    return super.createMessage(initialLine);
  }

  @Override
  protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
    if (length == 0) {
      throw new IllegalArgumentException("empty header field name");
    }
    AsciiString name = super.splitHeaderName(sb, start, length);
    switch (length) {
      case 4 -> {
        if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
          hostLines++;
        }
      }
      case 14 -> {
        if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
          contentLengthLines++;
        }
      }
      case 17 -> {
        if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
          transferEncodingLines++;
        }
      }
      default -> {
      }
    }
    return name;
  }

  /**
   * Called once per head, after the fields are decoded and before the body is framed: the one
   * place to refuse a head so that Netty discards the rest of the connection.
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    if (msg instanceof HttpRequest request) {
      if (versionProblem != null) {
        throw new IllegalArgumentException(versionProblem);
      }
      boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
      String problem = RequestFraming.headProblem(http10, request.uri(), multiMap(request.headers()),
          hostLines, contentLengthLines, transferEncodingLines);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      request.setDecoderResult(RequestFraming.VETTED);
    }
    return super.isContentAlwaysEmpty(msg);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Unreachable: isContentAlwaysEmpty already refused the head. Keep Content-Length visible.
  }

  private static MultiMap multiMap(HttpHeaders headers) {
    return headers instanceof MultiMap map ? map : new HeadersAdaptor(headers);
  }
}
