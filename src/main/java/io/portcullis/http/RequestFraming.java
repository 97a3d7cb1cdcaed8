package io.portcullis.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.List;

/**
 * Request framing rules (RFC 9112 §6.3, CONTRACT §4): a message whose body length is
 * ambiguous is refused before anything is sent upstream. Works with the strict decoder the
 * server installs, which keeps {@code Content-Length} visible next to
 * {@code Transfer-Encoding: chunked}.
 */
public final class RequestFraming {

  private RequestFraming() {
  }

  /**
   * A description of what makes {@code request}'s framing or head unacceptable, or {@code null}
   * when it is fine. A non-null answer is refused with 400 and the connection closed.
   */
  public static String problem(HttpServerRequest request) {
    boolean hasTransferEncoding = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    if (hasTransferEncoding && request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      return "request has both Content-Length and Transfer-Encoding";
    }
    if (hasTransferEncoding && request.version() == HttpVersion.HTTP_1_0) {
      return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
    }
    if (hasTransferEncoding) {
      List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
      String last = codings.get(codings.size() - 1).trim();
      int comma = last.lastIndexOf(',');
      String final_ = (comma >= 0 ? last.substring(comma + 1) : last).trim();
      if (!final_.equalsIgnoreCase("chunked") || codings.size() > 1 || last.indexOf(',') >= 0) {
        return "unsupported Transfer-Encoding";
      }
    }
    if (request.headers().getAll(HttpHeaders.CONTENT_LENGTH).size() > 1) {
      return "request has more than one Content-Length";
    }
    if (request.headers().getAll(HttpHeaders.HOST).size() > 1) {
      return "request has more than one Host";
    }
    return null;
  }

}
