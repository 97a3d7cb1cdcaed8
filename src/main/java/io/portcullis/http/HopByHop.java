package io.portcullis.http;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hop-by-hop header rules of RFC 9110 §7.6.1: the fixed list plus every header named in
 * {@code Connection} is dropped when a message is forwarded, in either direction.
 */
public final class HopByHop {

  /** Headers that never cross the gateway (lower case). */
  public static final Set<String> ALWAYS = Set.of(
      "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

  private static final HeaderNameSet ALWAYS_SET = new HeaderNameSet(ALWAYS);

  private HopByHop() {
  }

  /** The hop-by-hop names plus {@code alsoSkip}: what a copy drops besides the Connection-named headers. */
  public static HeaderNameSet skipping(Set<String> alsoSkip) {
    return ALWAYS_SET.plus(alsoSkip);
  }

  /**
   * Copies every end-to-end header of {@code from} into {@code to}, skipping hop-by-hop ones,
   * those named in {@code from}'s {@code Connection} header, and the names in {@code alsoSkip}
   * (lower case; headers the caller sets itself).
   */
  public static void copyEndToEnd(MultiMap from, MultiMap to, Set<String> alsoSkip) {
    copyEndToEnd(from, to, skipping(alsoSkip));
  }

  /**
   * Copies every end-to-end header of {@code from} into {@code to}, skipping the names in
   * {@code skip} (which includes the hop-by-hop list, see {@link #skipping}) and those named in
   * {@code from}'s {@code Connection} header. Netty's header map (an HTTP/1.x request's, or an
   * HTTP/1.x upstream response's: {@link StoredHeaders}) is read entry by entry as stored, its
   * names and values going over as they are, without a wrapper or a string copy per header.
   */
  public static void copyEndToEnd(MultiMap from, MultiMap to, HeaderNameSet skip) {
    io.netty.handler.codec.http.HttpHeaders stored = StoredHeaders.of(from);
    Set<String> named = connectionTokens(from, stored);
    if (stored != null) {
      Iterator<Map.Entry<CharSequence, CharSequence>> entries = stored.iteratorCharSequence();
      while (entries.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = entries.next();
        CharSequence name = header.getKey();
        if (!skip.contains(name) && (named.isEmpty() || !named.contains(lower(name)))) {
          to.add(name, header.getValue());
        }
      }
      return;
    }
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (!skip.contains(name) && (named.isEmpty() || !named.contains(lower(name)))) {
        to.add(name, header.getValue());
      }
    }
  }

  private static String lower(CharSequence name) {
    return name.toString().toLowerCase(Locale.ROOT);
  }

  /** The header names listed in every {@code Connection} header (lower case), empty when none. */
  public static Set<String> connectionTokens(MultiMap headers) {
    return connectionTokens(headers, StoredHeaders.of(headers));
  }

  private static Set<String> connectionTokens(MultiMap headers, io.netty.handler.codec.http.HttpHeaders stored) {
    if (!headers.contains(HttpHeaders.CONNECTION)) {
      return Set.of();
    }
    if (stored != null) {
      // The common case, one "Connection: keep-alive" (or close), seen in place.
      CharSequence only = null;
      int count = 0;
      Iterator<Map.Entry<CharSequence, CharSequence>> entries = stored.iteratorCharSequence();
      while (entries.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = entries.next();
        if (AsciiString.contentEqualsIgnoreCase(HttpHeaders.CONNECTION, header.getKey())) {
          only = header.getValue();
          count++;
        }
      }
      if (count == 1 && namesNoHeader(only)) {
        return Set.of();
      }
    }
    List<String> values = headers.getAll(HttpHeaders.CONNECTION);
    if (values.size() == 1 && namesNoHeader(values.get(0))) {
      return Set.of(); // the common case: names only a header that is dropped anyway
    }
    java.util.HashSet<String> names = new java.util.HashSet<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          names.add(t);
        }
      }
    }
    return names;
  }

  /**
   * Whether a {@code Connection} header lists {@code close} among its options (RFC 9112 §9.6:
   * the connection closes after the response), in any case, alone or in a list such as
   * {@code close, X-Trace}.
   */
  public static boolean asksToClose(MultiMap headers) {
    if (!headers.contains(HttpHeaders.CONNECTION)) {
      return false;
    }
    for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
      int start = 0;
      while (start <= value.length()) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        int s = start;
        int e = end;
        while (s < e && value.charAt(s) <= ' ') {
          s++;
        }
        while (e > s && value.charAt(e - 1) <= ' ') {
          e--;
        }
        if (matches(value, s, e, "close")) {
          return true;
        }
        start = end + 1;
      }
    }
    return false;
  }

  /** Whether a {@code Connection} value is just {@code keep-alive} or {@code close}, in any case and spacing. */
  private static boolean namesNoHeader(CharSequence value) {
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) <= ' ') {
      end--;
    }
    return matches(value, start, end, "keep-alive") || matches(value, start, end, "close");
  }

  private static boolean matches(CharSequence value, int start, int end, String word) {
    return end - start == word.length() && AsciiString.regionMatches(value, true, start, word, 0, word.length());
  }
}
