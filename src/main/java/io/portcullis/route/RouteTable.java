package io.portcullis.route;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes in configuration order; {@link #find} returns the first that matches the
 * method and normalized path. Immutable and safe to share across event loops.
 *
 * @param <T> what a route resolves to (its handler)
 */
public final class RouteTable<T> {

  /** One route: its pattern, accepted methods (empty = any) and target. */
  public record Entry<T>(String name, PathPattern pattern, Set<String> methods, T target) {
    boolean acceptsMethod(String method) {
      return methods.isEmpty() || methods.contains(method);
    }
  }

  /** A match: the route's entry and the bound path parameters. */
  public record Match<T>(Entry<T> entry, Map<String, String> params) {
  }

  private final List<Entry<T>> entries;
  /** Per entry, its match without path parameters, made once. */
  private final Match<T>[] plainMatches;

  /** A table of routes, first match wins. */
  @SuppressWarnings("unchecked")
  public RouteTable(List<Entry<T>> entries) {
    this.entries = List.copyOf(entries);
    this.plainMatches = new Match[this.entries.size()];
    for (int i = 0; i < plainMatches.length; i++) {
      plainMatches[i] = new Match<>(this.entries.get(i), Map.of());
    }
  }

  /** The routes in order. */
  public List<Entry<T>> entries() {
    return entries;
  }

  /**
   * The first route matching {@code method} and {@code path}, or {@code null}. A null
   * {@code method} matches the path alone, whatever methods the routes accept.
   */
  public Match<T> find(String method, String path) {
    for (int i = 0, n = entries.size(); i < n; i++) {
      Entry<T> e = entries.get(i);
      if (method != null && !e.acceptsMethod(method)) {
        continue;
      }
      Map<String, String> params = e.pattern().match(path);
      if (params != null) {
        return params.isEmpty() ? plainMatches[i] : new Match<>(e, params);
      }
    }
    return null;
  }
}
