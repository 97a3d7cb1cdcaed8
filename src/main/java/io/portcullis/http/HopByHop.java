package io.portcullis.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

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

  private HopByHop() {
  }

  /**
   * Copies every end-to-end header of {@code from} into {@code to}, skipping hop-by-hop ones,
   * those named in {@code from}'s {@code Connection} header, and the names in {@code alsoSkip}
   * (lower case; headers the caller sets itself).
   */
  public static void copyEndToEnd(MultiMap from, MultiMap to, Set<String> alsoSkip) {
    Set<String> named = connectionTokens(from);
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (ALWAYS.contains(name) || alsoSkip.contains(name) || (!named.isEmpty() && named.contains(name))) {
        continue;
      }
      to.add(header.getKey(), header.getValue());
    }
  }

  /** The header names listed in {@code Connection} (lower case), empty when none. */
  public static Set<String> connectionTokens(MultiMap headers) {
    if (!headers.contains(HttpHeaders.CONNECTION)) {
      return Set.of();
    }
    java.util.HashSet<String> names = new java.util.HashSet<>();
    for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          names.add(t);
        }
      }
    }
    return names;
  }
}
