package io.portcullis.route;

import io.portcullis.config.PathRules;
import java.util.List;
import java.util.Set;

/**
 * The routing package's path rules as the configuration loader asks them: {@link PathPattern}
 * for {@code match.path}, {@link PathTemplate} for aggregate backend paths. Stateless.
 */
public final class RoutePathRules implements PathRules {

  /** The one instance. */
  public static final RoutePathRules INSTANCE = new RoutePathRules();

  private RoutePathRules() {}

  @Override
  public List<String> patternProblems(String pattern) {
    return PathPattern.problems(pattern);
  }

  @Override
  public Set<String> patternParameters(String pattern) {
    return PathPattern.parameters(pattern);
  }

  @Override
  public String templateProblem(String template) {
    return PathTemplate.problem(template);
  }

  @Override
  public Set<String> templatePlaceholders(String template) {
    return PathTemplate.compile(template).placeholders();
  }
}
