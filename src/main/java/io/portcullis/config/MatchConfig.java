package io.portcullis.config;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which requests a route takes (JSON {@code match}). Exactly one of {@code path} and
 * {@code pathPrefix} is present.
 *
 * @param path an exact path, absolute; whole segments {@code :name} are parameters
 *     ({@code [A-Za-z_][A-Za-z0-9_]*}, unique), e.g. {@code "/api/profile/:id"}
 * @param pathPrefix a prefix matched on whole segments, absolute, no trailing {@code "/"} unless
 *     it is {@code "/"} itself: {@code "/api/users"} matches {@code /api/users} and
 *     {@code /api/users/7}, not {@code /api/usersX}
 * @param methods upper-case methods accepted; unmodifiable, in the order given; empty (the
 *     default) means any method
 */
public record MatchConfig(Optional<String> path, Optional<String> pathPrefix, Set<String> methods) {

  /** Checks for nulls and copies {@code methods} into an unmodifiable set. */
  public MatchConfig {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    methods = Immutables.orderedSet(methods, "methods");
  }
}
