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
  /** A prefix of {@code "/"}: matches every path. */
  private final boolean matchesAll;
  private final String[] segments;   // for exact patterns; ":name" marks a parameter
  private final boolean[] isParam;
  private final boolean hasParams;
  private final List<String> paramNames;

  private PathPattern(String source, boolean prefix) {
    this.source = source;
    this.prefix = prefix;
    this.matchesAll = prefix && source.equals("/");
    if (prefix) {
      this.segments = new String[0];
      this.isParam = new boolean[0];
      this.hasParams = false;
      this.paramNames = List.of();
    } else {
      String[] split = segments(source);
      this.segments = split;
      this.isParam = new boolean[split.length];
      List<String> names = new ArrayList<>();
      for (int i = 0; i < split.length; i++) {
        if (split[i].startsWith(":")) {
          isParam[i] = true;
          names.add(split[i].substring(1));
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
    // Segment by segment in place: a path that differs in a literal segment or in the number of
    // segments is turned down without allocating; the parameter map is made only on a match.
    if (!segmentsMatch(path)) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    int from = 1;
    for (int i = 0; i < segments.length; i++) {
      int end = segmentEnd(path, from);
      if (isParam[i]) {
        params.put(segments[i].substring(1), path.substring(from, end));
      }
      from = end + 1;
    }
    return params;
  }

  /** Whether {@code path}'s segments match this exact pattern's, with a non-empty value for each parameter. */
  private boolean segmentsMatch(String path) {
    if (path.length() <= 1) {
      return segments.length == 0; // "/" has no segment
    }
    int from = 1;
    int last = segments.length - 1;
    for (int i = 0; i <= last; i++) {
      if (from > path.length()) {
        return false; // fewer segments
      }
      int end = segmentEnd(path, from);
      if (i == last && end != path.length()) {
        return false; // more segments
      }
      int length = end - from;
      if (isParam[i]) {
        if (length == 0) {
          return false;
        }
      } else if (length != segments[i].length() || !path.regionMatches(from, segments[i], 0, length)) {
        return false;
      }
      from = end + 1;
    }
    return true;
  }

  private static int segmentEnd(String path, int from) {
    int slash = path.indexOf('/', from);
    return slash < 0 ? path.length() : slash;
  }

  private boolean matchesPrefix(String path) {
    if (matchesAll) {
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
