package io.portcullis.route;

import io.portcullis.config.ConfigMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An aggregate backend's request target with {@code :name} placeholders
 * ({@code /users/:id}, {@code /orders?user=:userId&limit=5}), compiled once: README
 * "Configuration reference", {@code routes[].aggregate}.
 *
 * <p>A placeholder is {@code :} followed by a name ({@code [A-Za-z_][A-Za-z0-9_]*}, as long as it
 * goes) anywhere in the target, the query included; any other {@code :} is literal. Expanding
 * replaces each placeholder by the value the route's pattern bound, percent-encoded for where it
 * stands: in the path, as a path segment (a {@code /} in the value becomes {@code %2F}); in the
 * query, as a query component ({@code &}, {@code =}, {@code +} and {@code #} encoded too). The
 * value is taken as the path segment it was matched from: its {@code %XX} escapes are decoded
 * first, so an escaped value is never escaped twice.
 */
public final class PathTemplate {

  private static final String HEX = "0123456789ABCDEF";

  private final String source;
  /** The literal text around the placeholders: one more than {@link #names}. */
  private final String[] literals;
  private final String[] names;
  /** Whether each placeholder stands in the query. */
  private final boolean[] inQuery;

  private PathTemplate(String source, List<String> literals, List<String> names, List<Boolean> inQuery) {
    this.source = source;
    this.literals = literals.toArray(String[]::new);
    this.names = names.toArray(String[]::new);
    this.inQuery = new boolean[names.size()];
    for (int i = 0; i < this.inQuery.length; i++) {
      this.inQuery[i] = inQuery.get(i);
    }
  }

  /** Compiles a template (one that {@link #problem} has no problem with). */
  public static PathTemplate compile(String template) {
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Boolean> inQuery = new ArrayList<>();
    int query = template.indexOf('?');
    int literalStart = 0;
    int i = 0;
    while (i < template.length()) {
      int end = template.charAt(i) == ':' ? nameEnd(template, i + 1) : -1;
      if (end < 0) {
        i++;
        continue;
      }
      literals.add(template.substring(literalStart, i));
      names.add(template.substring(i + 1, end));
      inQuery.add(query >= 0 && i > query);
      literalStart = end;
      i = end;
    }
    literals.add(template.substring(literalStart));
    return new PathTemplate(template, literals, names, inQuery);
  }

  /** The end of a placeholder name starting at {@code start}, or -1 if none starts there. */
  private static int nameEnd(String s, int start) {
    if (start >= s.length() || !isNameStart(s.charAt(start))) {
      return -1;
    }
    int end = start + 1;
    while (end < s.length() && (isNameStart(s.charAt(end)) || (s.charAt(end) >= '0' && s.charAt(end) <= '9'))) {
      end++;
    }
    return end;
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  /**
   * The problem of {@code template} as a backend request target, or null: it must start with
   * {@code /} and hold no whitespace or control character.
   */
  public static String problem(String template) {
    if (!template.startsWith("/")) {
      return "must start with \"/\", got " + ConfigMessages.quote(template);
    }
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return "must not contain whitespace, got " + ConfigMessages.quote(template);
      }
    }
    return null;
  }

  /** The template as configured. */
  public String source() {
    return source;
  }

  /** The placeholder names, in order, each once. */
  public Set<String> placeholders() {
    return new LinkedHashSet<>(List.of(names));
  }

  /**
   * The request target with every placeholder replaced by its value in {@code params}, encoded for
   * where it stands; a placeholder without a value is left as written.
   */
  public String expand(Map<String, String> params) {
    if (names.length == 0) {
      return source;
    }
    StringBuilder out = new StringBuilder(source.length() + 16);
    for (int i = 0; i < names.length; i++) {
      out.append(literals[i]);
      String value = params.get(names[i]);
      if (value == null) {
        out.append(':').append(names[i]);
      } else {
        appendEncoded(out, value, inQuery[i]);
      }
    }
    return out.append(literals[names.length]).toString();
  }

  /** Compiles {@code template} and expands it: for callers that hold only the text. */
  public static String expand(String template, Map<String, String> params) {
    return compile(template).expand(params);
  }

  /**
   * Appends {@code value}, its {@code %XX} escapes decoded, with every byte that may not stand
   * as itself percent-encoded (RFC 3986 §2.1, upper-case hex digits).
   */
  private static void appendEncoded(StringBuilder out, String value, boolean query) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length() && hexValue(value.charAt(i + 1)) >= 0
          && hexValue(value.charAt(i + 2)) >= 0) {
        appendByte(out, hexValue(value.charAt(i + 1)) * 16 + hexValue(value.charAt(i + 2)), query);
        i += 2;
      } else if (c < 0x80) {
        appendByte(out, c, query);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
        for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          appendByte(out, b & 0xff, query);
        }
        i = end - 1;
      }
    }
  }

  /** The value of an ASCII hex digit, or -1. */
  private static int hexValue(char c) {
    return c < 0x80 ? Character.digit(c, 16) : -1;
  }

  private static void appendByte(StringBuilder out, int b, boolean query) {
    if (b < 0x80 && allowed((char) b, query)) {
      out.append((char) b);
    } else {
      out.append('%').append(HEX.charAt(b >> 4)).append(HEX.charAt(b & 0xF));
    }
  }

  /**
   * Whether {@code c} stands as itself: in a path segment, RFC 3986 pchar (unreserved, sub-delims,
   * {@code :} and {@code @}); in a query component, unreserved and the sub-delims and gen-delims
   * that do not separate or change components ({@code & = + #} are encoded, as form decoders read
   * them).
   */
  private static boolean allowed(char c, boolean query) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~') {
      return true;
    }
    return query ? "!$'()*,;:@/?".indexOf(c) >= 0 : "!$&'()*+,;=:@".indexOf(c) >= 0;
  }

  @Override
  public String toString() {
    return source;
  }
}
