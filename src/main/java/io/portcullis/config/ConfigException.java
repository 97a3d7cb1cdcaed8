package io.portcullis.config;

import java.util.List;

/**
 * An invalid configuration: every problem found, each {@code <json path>: <problem>} (for example
 * {@code routes[1].upstream: unknown upstream "user"}), in document order; past the first thousand,
 * a last line {@code $: N more problems not shown}. The message is the problems joined by
 * newlines, ready to print one per line.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The problems, unmodifiable. */
  private final List<String> errors;

  /**
   * @param errors the problems, at least one, in document order
   */
  public ConfigException(List<String> errors) {
    super(String.join("\n", errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** Every problem, in document order, each {@code <json path>: <problem>}; unmodifiable. */
  public List<String> errors() {
    return errors;
  }
}
