package io.portcullis.config;

import java.util.List;
import java.util.Set;

/**
 * The rules of route path patterns ({@code match.path}) and aggregate backend path templates,
 * which the routing package owns and applies to requests. The loader asks them rather than keeping
 * a copy: one owner per rule, so what validates is what runs. An implementation is given to
 * {@link ConfigLoader} by whoever makes it.
 */
public interface PathRules {

  /**
   * The problems of the {@code :name} parameters of a {@code match.path} that is already an
   * absolute path without empty segments, each worded for a message ({@code duplicate parameter
   * ":id"}); empty if there are none.
   */
  List<String> patternProblems(String pattern);

  /** The parameter names a valid {@code match.path} binds, in order. */
  Set<String> patternParameters(String pattern);

  /**
   * The problem of an aggregate backend's path as a template (it must be an absolute request
   * target; a query is allowed), worded for a message, or null if it has none.
   */
  String templateProblem(String template);

  /** The {@code :name} placeholders a valid template uses, in order, each once. */
  Set<String> templatePlaceholders(String template);
}
