package io.portcullis.http;

import io.netty.handler.codec.DecoderResult;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Request framing and head rules (RFC 9112 §3, §6.1, §6.3; RFC 9110 §7.2, §8.6; README "How a request flows"): a
 * message whose body length is ambiguous, or whose head a server must refuse, is refused before
 * anything is sent upstream.
 *
 * <p>The rules are applied twice over. The strict decoder the server installs on every HTTP/1.x
 * connection applies them to each head as it is decoded ({@link #headProblem}), so a refused
 * message stops the connection's byte stream at once: nothing after it (a pipelined, smuggled
 * request) is ever decoded. It marks the heads it accepted with {@link #VETTED}. {@link #problem}
 * runs first in the request handler; for a vetted head it is free, for any other (a connection the
 * strict decoder was not installed on) it applies the same rules.
 *
 * <p>The rules:
 * <ul>
 *   <li>{@code Transfer-Encoding}: only on HTTP/1.1, never with {@code Content-Length}, and then
 *       exactly one field line whose value is {@code chunked} (case-insensitive, surrounding OWS
 *       allowed). Any other coding, list or repetition is refused: the gateway does not decode
 *       transfer codings other than chunked and does not forward them (they are hop-by-hop).</li>
 *   <li>{@code Content-Length}: at most one field line, holding 1 to 18 decimal digits.</li>
 *   <li>{@code Host}: exactly one on HTTP/1.1, at most one on HTTP/1.0, and a valid
 *       {@code host [":" port]} (RFC 3986 §3.2.2; no userinfo).</li>
 *   <li>An absolute-form target ({@code http://} or {@code https://}) has a valid authority
 *       without userinfo, equal to {@code Host} (host case-insensitive, default port implied).</li>
 * </ul>
 * Everything here is allocation-free on the accepting path.
 */
public final class RequestFraming {

  /** The decoder result the strict decoder gives a head it checked and accepted. */
  public static final DecoderResult VETTED = new Vetted();

  private static final String CHUNKED = "chunked";

  private RequestFraming() {
  }

  /**
   * A description of what makes {@code request}'s framing or head unacceptable, or {@code null}
   * when it is fine. A non-null answer is refused with 400 and the connection closed.
   */
  public static String problem(HttpServerRequest request) {
    if (request.decoderResult() == VETTED) {
      return null; // the strict decoder applied every rule to this very head
    }
    MultiMap headers = request.headers();
    HttpVersion version = request.version();
    int te = count(headers, HttpHeaders.TRANSFER_ENCODING);
    if (version != HttpVersion.HTTP_1_0 && version != HttpVersion.HTTP_1_1) {
      // HTTP/2 frames bodies itself; Transfer-Encoding is connection-specific there (RFC 9113 §8.2.2).
      return te > 0 ? "Transfer-Encoding is not allowed in HTTP/2" : null;
    }
    return headProblem(version == HttpVersion.HTTP_1_0, request.uri(), headers,
        count(headers, HttpHeaders.HOST), count(headers, HttpHeaders.CONTENT_LENGTH), te);
  }

  /**
   * Applies every rule to one decoded HTTP/1.x request head.
   *
   * @param http10 whether the request line says HTTP/1.0
   * @param uri the request target as received
   * @param headers the decoded fields
   * @param hostLines how many {@code Host} field lines the head had
   * @param contentLengthLines how many {@code Content-Length} field lines the head had, counted
   *     before any merging by the decoder
   * @param transferEncodingLines how many {@code Transfer-Encoding} field lines the head had
   * @return what is wrong, or {@code null}
   */
  public static String headProblem(boolean http10, String uri, MultiMap headers,
                                   int hostLines, int contentLengthLines, int transferEncodingLines) {
    if (transferEncodingLines > 0) {
      if (http10) {
        return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
      }
      if (contentLengthLines > 0) {
        return "request has both Content-Length and Transfer-Encoding";
      }
      if (transferEncodingLines > 1 || !isChunked(headers.get(HttpHeaders.TRANSFER_ENCODING))) {
        return "unsupported Transfer-Encoding: only a single \"chunked\" coding is accepted";
      }
    }
    if (contentLengthLines > 1) {
      return "request has more than one Content-Length";
    }
    if (contentLengthLines == 1 && !isLength(headers.get(HttpHeaders.CONTENT_LENGTH))) {
      return "Content-Length is not a decimal number of bytes";
    }
    if (hostLines > 1) {
      return "request has more than one Host";
    }
    String host = hostLines == 1 ? headers.get(HttpHeaders.HOST) : null;
    if (host == null) {
      if (!http10) {
        return "HTTP/1.1 request without Host";
      }
    } else if (!isAuthority(host, 0, host.length(), true)) {
      return "invalid Host";
    }
    if (!uri.isEmpty() && uri.charAt(0) != '/') {
      return absoluteFormProblem(uri, host);
    }
    return null;
  }

  // ------------------------------------------------------------------------------- rules

  private static int count(MultiMap headers, CharSequence name) {
    return headers.contains(name) ? headers.getAll(name).size() : 0;
  }

  /** Index of the first character of {@code value} after its leading SP/HTAB. */
  private static int owsEnd(String value) {
    int from = 0;
    while (from < value.length() && isOws(value.charAt(from))) {
      from++;
    }
    return from;
  }

  /** Index just past the last character of {@code value} before its trailing SP/HTAB (>= {@code from}). */
  private static int owsStart(String value, int from) {
    int to = value.length();
    while (to > from && isOws(value.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** {@code chunked}, any case, with optional surrounding SP/HTAB, and nothing else. */
  static boolean isChunked(String value) {
    if (value == null) {
      return false;
    }
    int from = owsEnd(value);
    int to = owsStart(value, from);
    return to - from == CHUNKED.length() && value.regionMatches(true, from, CHUNKED, 0, CHUNKED.length());
  }

  /** 1 to 18 decimal digits (no sign, no list), with optional surrounding SP/HTAB. */
  static boolean isLength(String value) {
    if (value == null) {
      return false;
    }
    int from = owsEnd(value);
    int to = owsStart(value, from);
    if (to == from || to - from > 18) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * An absolute-form target ({@code http://authority/...}) must name the same authority as
   * {@code Host}; any other form that is not origin-form is left to path validation.
   */
  private static String absoluteFormProblem(String uri, String host) {
    int authorityStart;
    int defaultPort;
    if (uri.regionMatches(true, 0, "http://", 0, 7)) {
      authorityStart = 7;
      defaultPort = 80;
    } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
      authorityStart = 8;
      defaultPort = 443;
    } else {
      return null; // not absolute-form: refused by path validation (400) if not acceptable
    }
    int authorityEnd = authorityStart;
    while (authorityEnd < uri.length()) {
      char c = uri.charAt(authorityEnd);
      if (c == '/' || c == '?' || c == '#') {
        break;
      }
      if (c == '@') {
        return "userinfo is not allowed in the request target";
      }
      authorityEnd++;
    }
    if (!isAuthority(uri, authorityStart, authorityEnd, false)) {
      return "invalid authority in the request target";
    }
    if (host != null && !sameAuthority(uri, authorityStart, authorityEnd, host, defaultPort)) {
      return "request target authority differs from Host";
    }
    return null;
  }

  /**
   * RFC 3986 {@code host [":" port]}: an IP-literal in brackets, or a reg-name / IPv4 address of
   * unreserved, pct-encoded and sub-delims characters; a port of 1 to 5 digits up to 65535.
   */
  static boolean isAuthority(String s, int from, int to, boolean allowEmpty) {
    if (from == to) {
      return allowEmpty;
    }
    int i = from;
    if (s.charAt(i) == '[') {
      int close = s.indexOf(']', i);
      if (close < 0 || close >= to || close == i + 1) {
        return false;
      }
      for (int j = i + 1; j < close; j++) {
        char c = s.charAt(j);
        if (!(isHex(c) || c == ':' || c == '.')) {
          return false;
        }
      }
      i = close + 1;
    } else {
      int start = i;
      while (i < to) {
        char c = s.charAt(i);
        if (c == '%') {
          if (i + 2 >= to || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
            return false;
          }
          i += 3;
        } else if (isRegNameChar(c)) {
          i++;
        } else {
          break;
        }
      }
      if (i == start) {
        return false;
      }
    }
    if (i == to) {
      return true;
    }
    if (s.charAt(i) != ':') {
      return false;
    }
    return portValue(s, i + 1, to) >= 0;
  }

  /** The port value of {@code s[from, to)} (1 to 5 digits, at most 65535), or -1. */
  private static int portValue(String s, int from, int to) {
    if (from == to || to - from > 5) {
      return -1;
    }
    int port = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535 ? port : -1;
  }

  private static boolean sameAuthority(String uri, int from, int to, String host, int defaultPort) {
    int uriColon = portColon(uri, from, to);
    int hostColon = portColon(host, 0, host.length());
    int uriHostEnd = uriColon < 0 ? to : uriColon;
    int hostHostEnd = hostColon < 0 ? host.length() : hostColon;
    if (uriHostEnd - from != hostHostEnd || !uri.regionMatches(true, from, host, 0, hostHostEnd)) {
      return false;
    }
    int uriPort = uriColon < 0 ? defaultPort : portValue(uri, uriColon + 1, to);
    int hostPort = hostColon < 0 ? defaultPort : portValue(host, hostColon + 1, host.length());
    return uriPort == hostPort;
  }

  /** The index of the ':' before a port in a valid authority, or -1. */
  private static int portColon(String s, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      char c = s.charAt(i);
      if (c == ':') {
        return i;
      }
      if (c == ']') {
        return -1;
      }
    }
    return -1;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isRegNameChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    switch (c) {
      case '-': case '.': case '_': case '~': // unreserved
      case '!': case '$': case '&': case '\'': case '(': case ')': // sub-delims
      case '*': case '+': case ',': case ';': case '=':
        return true;
      default:
        return false;
    }
  }

  /** A successful decoder result that also says "the strict decoder checked this head". */
  private static final class Vetted extends DecoderResult {
    Vetted() {
      super(SIGNAL_SUCCESS);
    }

    @Override
    public String toString() {
      return "success (vetted)";
    }
  }
}
