package io.portcullis.http;

/**
 * Normalizes a request path before routing, so that the path routed on is the path forwarded:
 * percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2), repeated slashes are
 * merged, and dot segments are removed (RFC 3986 §5.2.4). Encoded slashes ({@code %2F}) stay
 * encoded: they are data, not separators. Returns {@code null} for a path that is not
 * origin-form or climbs above the root.
 */
public final class PathNormalizer {

  private PathNormalizer() {
  }

  /** The normalized path, or {@code null} when {@code raw} is not an acceptable path. */
  public static String normalize(String raw) {
    if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
      return null;
    }
    if (isSimple(raw)) {
      return raw;
    }
    String decoded = decodeUnreserved(raw);
    if (decoded == null) {
      return null;
    }
    return removeDotSegments(decoded);
  }

  // Fast path: no '%', no '//', no '.' segment: nothing to do (the common case).
  private static boolean isSimple(String p) {
    char prev = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '%' || (c == '/' && prev == '/') || (c == '.' && prev == '/') || c < 0x21 || c > 0x7E) {
        return false;
      }
      prev = c;
    }
    return true;
  }

  private static String decodeUnreserved(String p) {
    StringBuilder out = new StringBuilder(p.length());
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return null; // control characters, spaces and non-ASCII must arrive percent-encoded
      }
      if (c == '%') {
        if (i + 2 >= p.length()) {
          return null;
        }
        int hi = Character.digit(p.charAt(i + 1), 16);
        int lo = Character.digit(p.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        char decoded = (char) (hi * 16 + lo);
        if (isUnreserved(decoded)) {
          out.append(decoded);
        } else {
          out.append('%').append(Character.toUpperCase(p.charAt(i + 1))).append(Character.toUpperCase(p.charAt(i + 2)));
        }
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static String removeDotSegments(String p) {
    String[] parts = p.split("/", -1);
    java.util.ArrayDeque<String> kept = new java.util.ArrayDeque<>();
    boolean trailingSlash = false;
    for (int i = 1; i < parts.length; i++) {
      String seg = parts[i];
      boolean last = i == parts.length - 1;
      if (seg.equals(".")) {
        trailingSlash = last;
      } else if (seg.equals("..")) {
        if (kept.isEmpty()) {
          return null; // above the root
        }
        kept.removeLast();
        trailingSlash = last;
      } else if (seg.isEmpty()) {
        trailingSlash = last; // merges '//' and keeps a final '/'
      } else {
        kept.addLast(seg);
        trailingSlash = false;
      }
    }
    StringBuilder out = new StringBuilder(p.length());
    for (String seg : kept) {
      out.append('/').append(seg);
    }
    if (out.length() == 0 || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }
}
