package io.portcullis.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lexical rules of configuration values: HTTP tokens, endpoint URLs and paths. The rules of path
 * parameters and templates belong to the routing package ({@link PathRules}).
 */
final class Syntax {

  /** An upstream name. */
  static final Pattern UPSTREAM_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private static final Pattern NAME_AUTHORITY = Pattern.compile("([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?");
  /** RFC 9110 §5.6.2 tchar, apart from ALPHA and DIGIT. */
  private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
  private static final String HEX = "0123456789ABCDEF";
  /** The longest quoted string in a message; a longer one is cut, {@code "abc...}. */
  private static final int MAX_QUOTED_CHARS = 200;

  private Syntax() {}

  /** Whether {@code s} is an RFC 9110 §5.6.2 token (method names and header field names). */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code url} is an absolute http or https URL with a host (any path). */
  static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * The endpoint an absolute {@code http(s)://host[:port]} URL names (no user info, no path but
   * "/", no query, no fragment; port 80/443 by default), or null if the URL is not one.
   */
  static Endpoint endpoint(String url) {
    if (!plausibleEndpoint(url)) {
      return null; // surely not one: spare java.net.URI an exception (costly by the hundred thousand)
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = scheme.equals("https");
    if (!(tls || scheme.equals("http")) || uri.isOpaque()) {
      return null;
    }
    String host = uri.getHost();
    int port = uri.getPort();
    String authority = uri.getRawAuthority();
    if (host == null && authority != null && !authority.contains("@")) {
      // java.net.URI gives no host for names that are not RFC 2396 host names, such as
      // "user_service", a common container name; accept those names here.
      Matcher m = NAME_AUTHORITY.matcher(authority);
      if (!m.matches()) {
        return null;
      }
      host = m.group(1);
      port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    }
    String path = uri.getRawPath();
    if (host == null || host.isEmpty()
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !(path == null || path.isEmpty() || path.equals("/"))) {
      return null;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    port = port == -1 ? (tls ? 443 : 80) : port;
    if (port < 1 || port > 65535) {
      return null;
    }
    return new Endpoint(scheme, host, port);
  }

  /**
   * Whether {@code url} has the shape of an endpoint URL: {@code http://} or {@code https://} (any
   * case), an authority of host name, IP address and port characters only, then nothing or "/".
   * Every URL {@link #endpoint} accepts has it.
   */
  private static boolean plausibleEndpoint(String url) {
    int start;
    if (url.regionMatches(true, 0, "http://", 0, 7)) {
      start = 7;
    } else if (url.regionMatches(true, 0, "https://", 0, 8)) {
      start = 8;
    } else {
      return false;
    }
    int end = start;
    while (end < url.length() && url.charAt(end) != '/') {
      char c = url.charAt(end);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']' || c == '%';
      if (!allowed) {
        return false;
      }
      end++;
    }
    return end > start && (end == url.length() || (end == url.length() - 1));
  }

  /**
   * The basic problem of a path written in the configuration (not absolute, characters that
   * cannot occur in a request path, empty segments), or null if it has none.
   */
  static String pathProblem(String path) {
    if (!path.startsWith("/")) {
      return "must start with \"/\", got " + quote(path);
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      // RFC 3986 §3.3: "?" starts the query and "#" the fragment; whitespace is never in a path.
      if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
        return "must not contain whitespace, \"?\" or \"#\", got " + quote(path);
      }
    }
    if (path.contains("//")) {
      return "must not contain an empty segment \"//\", got " + quote(path);
    }
    return null;
  }

  /**
   * Whether {@code prefix} ends at a segment boundary of {@code path}: {@code "/"}, the path
   * itself, or the path up to (not including) one of its '/'.
   */
  static boolean isWholeSegmentPrefix(String prefix, String path) {
    if (prefix.equals("/") || prefix.equals(path)) {
      return true;
    }
    return !prefix.endsWith("/") && path.startsWith(prefix) && path.charAt(prefix.length()) == '/';
  }

  /**
   * A string as a JSON string literal, for messages; one of more than {@value #MAX_QUOTED_CHARS}
   * characters is cut there and ends in {@code ...} (a ten-megabyte value would only bury the
   * message).
   */
  static String quote(String s) {
    if (s.length() <= MAX_QUOTED_CHARS) {
      return json(s);
    }
    String start = json(s.substring(0, MAX_QUOTED_CHARS));
    return start.substring(0, Math.min(start.length() - 1, MAX_QUOTED_CHARS)) + "...";
  }

  /**
   * A string as a JSON string literal, character for character as {@code Json.encode} writes it
   * (quote and backslash escaped, the short escapes for backspace, tab, line feed, form feed and
   * carriage return, other control characters as six-character escapes with upper-case hex digits,
   * everything else as is), without starting a JSON generator for each message.
   */
  static String json(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
