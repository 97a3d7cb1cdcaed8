package io.portcullis.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.List;

/**
 * Recognises a WebSocket opening handshake (RFC 6455 §4.1): an HTTP/1.1 {@code GET} whose
 * {@code Upgrade} lists the token {@code websocket} and whose {@code Connection} lists the token
 * {@code upgrade}, both compared case-insensitively, and without a body (a handshake has none;
 * bytes after its head belong to the WebSocket). HTTP/1.0 has no upgrade mechanism and
 * HTTP/2 WebSockets (RFC 8441, extended CONNECT) are not proxied, so neither qualifies.
 */
public final class WebSocketUpgrade {

  /** The protocol token of {@code Upgrade} for WebSocket. */
  public static final String PROTOCOL = "websocket";

  private WebSocketUpgrade() {
  }

  /** Whether {@code request} asks for a WebSocket upgrade. */
  public static boolean isRequested(HttpServerRequest request) {
    return isRequested(request.method(), request.version(), request.headers());
  }

  /** Whether a request with this method, version and headers asks for a WebSocket upgrade. */
  public static boolean isRequested(HttpMethod method, HttpVersion version, MultiMap headers) {
    return method == HttpMethod.GET
        && version == HttpVersion.HTTP_1_1
        && hasToken(headers.getAll(HttpHeaders.UPGRADE), PROTOCOL)
        && hasToken(headers.getAll(HttpHeaders.CONNECTION), "upgrade")
        && !headers.contains(HttpHeaders.TRANSFER_ENCODING)
        && (!headers.contains(HttpHeaders.CONTENT_LENGTH) || "0".equals(headers.get(HttpHeaders.CONTENT_LENGTH).trim()));
  }

  /** Whether one of the comma-separated lists in {@code values} holds {@code token}. */
  static boolean hasToken(List<String> values, String token) {
    for (String value : values) {
      int start = 0;
      while (start <= value.length()) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        if (value.substring(start, end).trim().equalsIgnoreCase(token)) {
          return true;
        }
        if (comma < 0) {
          break;
        }
        start = comma + 1;
      }
    }
    return false;
  }
}
