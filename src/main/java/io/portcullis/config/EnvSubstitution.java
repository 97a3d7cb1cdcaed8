package io.portcullis.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Twelve-factor environment substitution in the string values of a parsed configuration
 * document, applied before validation.
 *
 * <ul>
 *   <li>{@code ${NAME}} is the value of the environment variable {@code NAME}; an unset variable
 *       is a problem at the value's JSON path
 *       ({@code upstreams.users.endpoints[0]: environment variable "USERS_URL" is not set}). A
 *       variable set to the empty string gives the empty string.
 *   <li>{@code ${NAME:-default}} is the variable's value, or {@code default} when it is unset or
 *       empty (as in a POSIX shell). The default is literal text up to the first {@code }}: it is
 *       not substituted again and cannot contain {@code }}.
 *   <li>{@code $${} is a literal {@code ${}. Any other {@code $} is itself.
 *   <li>{@code NAME} matches {@code [A-Za-z_][A-Za-z0-9_]*}; any other {@code ${...}}, or one
 *       without its {@code }}, is a problem (it is almost always a typo).
 * </ul>
 *
 * <p>Only string values are substituted, at any depth, never member names, and a substituted
 * value is not scanned again. Substitution yields strings: {@code "port": "${PORT}"} stays a
 * string and fails validation as one, so it applies to the string fields (endpoints, hosts,
 * header names, paths, names). The values of variables never appear in problems about
 * substitution.
 */
final class EnvSubstitution {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String ESCAPE_HINT = " (write \"$${\" for a literal \"${\")";

  private final Function<String, String> env;
  private final Problems problems;

  private EnvSubstitution(Function<String, String> env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /**
   * Substitutes every string value under {@code root} in place, recording each problem in
   * {@code problems}.
   *
   * @param env the environment: a variable's value, or null if it is not set
   */
  static void apply(Node root, Function<String, String> env, Problems problems) {
    new EnvSubstitution(env, problems).walk(root);
  }

  private void walk(Node node) {
    Object value = node.value();
    if (value instanceof JsonObject object) {
      Map<String, Object> members = object.getMap();
      for (String key : List.copyOf(members.keySet())) {
        Node child = node.child(key);
        if (child.value() instanceof String text) {
          String replaced = substitute(child, text);
          if (replaced != null) {
            members.put(key, replaced); // an existing key keeps its place
          }
        } else {
          walk(child);
        }
      }
    } else if (value instanceof JsonArray array) {
      List<Object> elements = array.getList();
      for (int i = 0; i < elements.size(); i++) {
        Node child = node.element(i);
        if (child.value() instanceof String text) {
          String replaced = substitute(child, text);
          if (replaced != null) {
            elements.set(i, replaced);
          }
        } else {
          walk(child);
        }
      }
    }
  }

  /**
   * The string with every reference replaced; null if it has none (nothing to change) or has a
   * problem (recorded; the value is then left as written and its later problems are muted).
   */
  private String substitute(Node at, String text) {
    if (text.indexOf('$') < 0) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean changed = false;
    boolean usedVariable = false;
    boolean unset = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
      } else if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
        changed = true;
      } else if (text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          problems.addAndMute(at, "unterminated \"${\" in " + Syntax.quote(text) + ESCAPE_HINT);
          return null;
        }
        String reference = text.substring(i + 2, close);
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
          problems.addAndMute(at, "invalid environment reference " + Syntax.quote("${" + reference + "}")
              + ": the name must match [A-Za-z_][A-Za-z0-9_]*, optionally followed by \":-default\"" + ESCAPE_HINT);
          return null;
        }
        String value = env.apply(name);
        if (separator >= 0) {
          out.append(value == null || value.isEmpty() ? reference.substring(separator + 2) : value);
        } else if (value == null) {
          // Go on: every unset variable of the value is named, not just the first.
          problems.addAndMute(at, "environment variable " + Syntax.quote(name) + " is not set");
          unset = true;
        } else {
          out.append(value);
        }
        i = close + 1;
        changed = true;
        usedVariable = true;
      } else {
        out.append(c);
        i++;
      }
    }
    if (unset) {
      return null;
    }
    if (usedVariable) {
      problems.markSubstituted(at);
    }
    return changed ? out.toString() : null;
  }

  /**
   * A literal string written so that substitution gives it back: every {@code ${} becomes
   * {@code $${}.
   */
  static String escape(String literal) {
    return literal.replace("${", "$${");
  }
}
