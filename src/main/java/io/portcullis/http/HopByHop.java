package io.portcullis.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

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
   * {@code from}'s {@code Connection} header.
   */
  public static void copyEndToEnd(MultiMap from, MultiMap to, HeaderNameSet skip) {
    Set<String> named = connectionTokens(from);
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (skip.contains(name) || (!named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT)))) {
        continue;
      }
      to.add(name, header.getValue());
    }
  }

  /** The header names listed in every {@code Connection} header (lower case), empty when none. */
  public static Set<String> connectionTokens(MultiMap headers) {
    if (!headers.contains(HttpHeaders.CONNECTION)) {
      return Set.of();
    }
    List<String> values = headers.getAll(HttpHeaders.CONNECTION);
    if (values.size() == 1) {
      String only = values.get(0).trim();
      if (only.equalsIgnoreCase("keep-alive") || only.equalsIgnoreCase("close")) {
        return Set.of(); // the common case: names only a header that is dropped anyway
      }
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
}
