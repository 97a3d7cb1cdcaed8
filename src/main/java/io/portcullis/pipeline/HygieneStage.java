package io.portcullis.pipeline;

import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.http.HopByHop;
import io.portcullis.http.PathNormalizer;
import io.portcullis.http.RequestFraming;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;
import java.util.Map;

/**
 * First stage: the request's framing and path (README "Errors", 400 {@code bad_request}).
 * Ambiguous framing ({@code Content-Length} with {@code Transfer-Encoding}, two lengths, ...) is
 * refused and its connection closed: the next request's boundary cannot be trusted. A path that
 * does not normalize is refused. Otherwise the exchange's path becomes the normalized one, the
 * path every later stage and the upstream see. A {@code Connection} header listing {@code close}
 * among other options closes the connection after the answer, as {@code close} alone does.
 *
 * <p>An HTTP/2 request whose header fields take more than {@code server.maxHeaderBytes}, counted
 * as HTTP/1.1 counts them ({@code name: value} per field, the request line aside), gets 431
 * {@code headers_too_large} here, with the JSON body and its request id, as on HTTP/1.1, where the
 * strict decoder refuses it. The listener lets HTTP/2 header lists through well beyond that limit
 * ({@code edge.ListenerOptions}) so that this stage, and not the HTTP/2 codec's bare 431, answers.
 */
public final class HygieneStage implements Stage {

  /** Per field: {@code ": "}. */
  private static final int FIELD_SEPARATOR = 2;

  private final long maxHeaderBytes;

  /** A hygiene stage that does not measure HTTP/2 header fields (tests of the other rules). */
  public HygieneStage() {
    this(Long.MAX_VALUE);
  }

  /** @param maxHeaderBytes {@code server.maxHeaderBytes} */
  public HygieneStage(long maxHeaderBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
  }

  @Override
  public Verdict apply(Exchange exchange) {
    if (exchange.request().version() == HttpVersion.HTTP_2 && headerBytes(exchange.request().headers()) > maxHeaderBytes) {
      return exchange.refuse(new GatewayException(GatewayError.HEADERS_TOO_LARGE,
          "request headers exceed " + maxHeaderBytes + " bytes"));
    }
    String framingProblem = RequestFraming.problem(exchange.request());
    if (framingProblem != null) {
      exchange.closeAfterResponse();
      return exchange.refuse(new GatewayException(GatewayError.BAD_REQUEST, framingProblem));
    }
    String path = PathNormalizer.normalize(exchange.path());
    if (path == null) {
      return exchange.refuse(new GatewayException(GatewayError.BAD_REQUEST, "malformed request path"));
    }
    exchange.normalizedPath(path);
    if (exchange.request().version() != HttpVersion.HTTP_2 && HopByHop.asksToClose(exchange.request().headers())) {
      // "Connection: close, X-Foo": Vert.x keeps the connection unless the value is "close" alone.
      exchange.closeAfterResponse();
    }
    return Verdict.CONTINUE;
  }

  /**
   * The size of {@code headers} as HTTP/1.1 header lines, without their line ends; HTTP/2
   * pseudo-header fields (the request line's parts) are not counted, as the request line is not
   * on HTTP/1.1.
   */
  static long headerBytes(MultiMap headers) {
    long bytes = 0;
    for (Map.Entry<String, String> field : headers) {
      String name = field.getKey();
      if (!name.isEmpty() && name.charAt(0) == ':') {
        continue;
      }
      bytes += name.length() + FIELD_SEPARATOR + field.getValue().length();
    }
    return bytes;
  }
}
