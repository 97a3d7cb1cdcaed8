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
 *
 * <p>A message is only built for a problem that is reported, and at most
 * {@value #MAX_REPORTED} are: a document of ten million characters can hold millions of
 * problems, and nobody reads past the first screenful. The rest are counted in a last line
 * {@code $: N more problems not shown}.
 */
final class Problems {

  /** The most problems {@link #messages()} lists. */
  static final int MAX_REPORTED = 1000;

  /** A problem; a muted one still makes its checks fail but is not reported. */
  private record Problem(Node at, String problem, boolean muted) {}

  private final List<Problem> found = new ArrayList<>();
  /** Places ({@link Node#place()}) whose value is already known to be wrong: later problems there are muted. */
  private final Set<Object> mutedPlaces = new HashSet<>();
  /** Places whose string value came out of environment substitution. */
  private final Set<Object> substitutedPlaces = new HashSet<>();

  /**
   * Records {@code <path>: <problem>}. At a path {@link #addAndMute muted} earlier it still
   * counts (so {@link #cleanSince} sees it and nothing is built from the value) but is not
   * reported: the first problem there already tells the cause.
   */
  void add(Node at, String problem) {
    found.add(new Problem(at, problem, !mutedPlaces.isEmpty() && mutedPlaces.contains(at.place())));
  }

  /**
   * Records a problem that makes the value at {@code at} meaningless (an environment variable
   * that is not set), and mutes every later problem at that path: "not a URL" after "variable not
   * set" would only be noise.
   */
  void addAndMute(Node at, String problem) {
    found.add(new Problem(at, problem, false));
    mutedPlaces.add(at.place());
  }

  /** Notes that the string at {@code at} was produced by environment substitution. */
  void markSubstituted(Node at) {
    substitutedPlaces.add(at.place());
  }

  /**
   * A hint to append to a type error at {@code at}: substitution only ever produces strings, so
   * {@code "port": "${PORT}"} is a string where a number belongs.
   */
  String substitutionHint(Node at) {
    return !substitutedPlaces.isEmpty() && substitutedPlaces.contains(at.place())
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
   * The messages {@code <path>: <problem>} in document order (a stable sort, so problems at the
   * same place keep the order in which they were found), each message once, at most
   * {@value #MAX_REPORTED} of them and then {@code $: N more problems not shown} if there are
   * more.
   */
  List<String> messages() {
    List<Problem> ordered = new ArrayList<>(found);
    ordered.sort(Comparator.comparing(Problem::at));
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    int more = 0;
    for (Problem problem : ordered) {
      if (problem.muted()) {
        continue;
      }
      if (distinct.size() < MAX_REPORTED) {
        distinct.add(problem.at().label() + ": " + problem.problem());
      } else {
        more++;
      }
    }
    List<String> messages = new ArrayList<>(distinct);
    if (more > 0) {
      messages.add("$: " + more + " more problem" + (more == 1 ? "" : "s") + " not shown");
    }
    return List.copyOf(messages);
  }
}
