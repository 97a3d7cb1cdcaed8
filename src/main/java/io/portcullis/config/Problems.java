package io.portcullis.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every problem found in a configuration, each tied to the {@link Node} it concerns.
 * Checks may run in any order (references are resolved after both ends are read);
 * {@link #messages()} puts the problems back into document order.
 */
final class Problems {

  /** A problem; a muted one still makes its checks fail but is not reported. */
  private record Problem(Node at, String message, boolean muted) {}

  private final List<Problem> found = new ArrayList<>();
  /** Paths whose value is already known to be wrong: later problems there are muted. */
  private final Set<String> mutedPaths = new HashSet<>();
  /** Paths whose string value came out of environment substitution. */
  private final Set<String> substitutedPaths = new HashSet<>();

  /**
   * Records {@code <path>: <problem>}. At a path {@link #addAndMute muted} earlier it still
   * counts (so {@link #cleanSince} sees it and nothing is built from the value) but is not
   * reported: the first problem there already tells the cause.
   */
  void add(Node at, String problem) {
    found.add(new Problem(at, at.label() + ": " + problem, mutedPaths.contains(at.label())));
  }

  /**
   * Records a problem that makes the value at {@code at} meaningless (an environment variable
   * that is not set), and mutes every later problem at that path: "not a URL" after "variable not
   * set" would only be noise.
   */
  void addAndMute(Node at, String problem) {
    found.add(new Problem(at, at.label() + ": " + problem, false));
    mutedPaths.add(at.label());
  }

  /** Notes that the string at {@code at} was produced by environment substitution. */
  void markSubstituted(Node at) {
    substitutedPaths.add(at.label());
  }

  /**
   * A hint to append to a type error at {@code at}: substitution only ever produces strings, so
   * {@code "port": "${PORT}"} is a string where a number belongs.
   */
  String substitutionHint(Node at) {
    return substitutedPaths.contains(at.label())
        ? " (environment substitution applies to string values only; write the number itself)"
        : "";
  }

  /** A mark to test later, with {@link #cleanSince}, whether some check in between failed. */
  int mark() {
    return found.size();
  }

  /** Whether no problem was added since {@code mark}. */
  boolean cleanSince(int mark) {
    return found.size() == mark;
  }

  /** Whether no problem was recorded (muted ones included: they follow a reported one). */
  boolean isEmpty() {
    return found.isEmpty();
  }

  /**
   * The messages in document order (a stable sort, so problems at the same place keep the order
   * in which they were found), each message once.
   */
  List<String> messages() {
    List<Problem> ordered = new ArrayList<>(found);
    ordered.sort(Comparator.comparing(Problem::at));
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    ordered.forEach(problem -> {
      if (!problem.muted()) {
        distinct.add(problem.message());
      }
    });
    return List.copyOf(distinct);
  }
}
