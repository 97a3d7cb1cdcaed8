package io.portcullis.route;

import io.portcullis.config.ConfigMessages;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled {@code match.path} or {@code match.pathPrefix}. A path pattern matches the whole
 * path, segment by segment, binding {@code :name} segments; a prefix matches whole segments
 * only ({@code /api/users} matches {@code /api/users} and {@code /api/users/7}, never
 * {@code /api/usersX}).
 */
public final class PathPattern {

  /** A parameter name after its ':'. */
  private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String source;
  private final boolean prefix;
  private final String[] segments;   // for exact patterns; ":name" marks a parameter
  private final boolean hasParams;
  private final List<String> paramNames;

  private PathPattern(String source, boolean prefix) {
    this.source = source;
    this.prefix = prefix;
    if (prefix) {
      this.segments = new String[0];
      this.hasParams = false;
      this.paramNames = List.of();
    } else {
      String[] split = segments(source);
      this.segments = split;
      List<String> names = new ArrayList<>();
      for (String s : split) {
        if (s.startsWith(":")) {
          names.add(s.substring(1));
        }
      }
      this.paramNames = Collections.unmodifiableList(names);
      this.hasParams = !names.isEmpty();
    }
  }

  /** An exact path pattern with optional {@code :name} segments. */
  public static PathPattern exact(String path) {
    return new PathPattern(path, false);
  }

  /** A whole-segment prefix. */
  public static PathPattern prefix(String prefix) {
    return new PathPattern(prefix, true);
  }

  /** The pattern as configured. */
  public String source() {
    return source;
  }

  /** Whether this is a prefix pattern. */
  public boolean isPrefix() {
    return prefix;
  }

  /** Parameter names in order of appearance. */
  public List<String> paramNames() {
    return paramNames;
  }

  /**
   * Matches a normalized path. Returns the bound parameters (empty map when none), or
   * {@code null} when the path does not match.
   */
  public Map<String, String> match(String path) {
    if (prefix) {
      return matchesPrefix(path) ? Map.of() : null;
    }
    if (!hasParams) {
      return source.equals(path) ? Map.of() : null;
    }
    String[] parts = path.length() == 1 ? new String[0] : path.substring(1).split("/", -1);
    if (parts.length != segments.length) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      String pattern = segments[i];
      if (pattern.startsWith(":")) {
        if (parts[i].isEmpty()) {
          return null;
        }
        params.put(pattern.substring(1), parts[i]);
      } else if (!pattern.equals(parts[i])) {
        return null;
      }
    }
    return params;
  }

  private boolean matchesPrefix(String path) {
    if (source.equals("/")) {
      return true;
    }
    if (!path.startsWith(source)) {
      return false;
    }
    return path.length() == source.length() || path.charAt(source.length()) == '/';
  }

  /**
   * Removes a whole-segment {@code strip} prefix from {@code path}; the result always starts
   * with {@code /}. A path that does not start with it is returned unchanged.
   */
  public static String stripPrefix(String path, String strip) {
    if (strip == null || strip.equals("/") || !path.startsWith(strip)) {
      return path;
    }
    if (path.length() == strip.length()) {
      return "/";
    }
    if (path.charAt(strip.length()) != '/') {
      return path;
    }
    return path.substring(strip.length());
  }

  /**
   * The problems of the {@code :name} parameters of an exact path pattern that is already an
   * absolute path without empty segments: a ':' only starts a whole segment, names match
   * {@code [A-Za-z_][A-Za-z0-9_]*} and are unique. Empty if there are none.
   */
  public static List<String> problems(String path) {
    List<String> problems = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String segment : segments(path)) {
      int colon = segment.indexOf(':');
      if (colon < 0) {
        continue;
      }
      if (colon > 0 || segment.indexOf(':', 1) > 0) {
        problems.add("\":\" may only start a whole-segment parameter, got " + ConfigMessages.quote(path));
        continue;
      }
      String name = segment.substring(1);
      if (!PARAMETER_NAME.matcher(name).matches()) {
        problems.add("invalid parameter name " + ConfigMessages.quote(segment)
            + " (must match [A-Za-z_][A-Za-z0-9_]*)");
      } else if (!seen.add(name)) {
        problems.add("duplicate parameter " + ConfigMessages.quote(segment));
      }
    }
    return problems;
  }

  /** The parameter names of a valid exact path pattern, in order. */
  public static Set<String> parameters(String path) {
    return new LinkedHashSet<>(exact(path).paramNames());
  }

  private static String[] segments(String path) {
    return path.length() <= 1 ? new String[0] : path.substring(1).split("/", -1);
  }
}
