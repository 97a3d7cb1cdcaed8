package io.portcullis.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Collects every problem found in a configuration, each tied to the {@link Node} it concerns.
 * Checks may run in any order (references are resolved after both ends are read);
 * {@link #messages()} puts the problems back into document order.
 */
final class Problems {

  private record Problem(Node at, String message) {}

  private final List<Problem> found = new ArrayList<>();

  /** Records {@code <path>: <problem>}. */
  void add(Node at, String problem) {
    found.add(new Problem(at, at.label() + ": " + problem));
  }

  /** A mark to test later, with {@link #cleanSince}, whether some check in between failed. */
  int mark() {
    return found.size();
  }

  /** Whether no problem was added since {@code mark}. */
  boolean cleanSince(int mark) {
    return found.size() == mark;
  }

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
    ordered.forEach(problem -> distinct.add(problem.message()));
    return List.copyOf(distinct);
  }
}
