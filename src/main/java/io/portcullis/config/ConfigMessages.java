package io.portcullis.config;

/**
 * How configuration problems show values, for the packages whose rules the loader asks
 * ({@link PathRules}): so that every message quotes alike.
 */
public final class ConfigMessages {

  private ConfigMessages() {}

  /**
   * {@code s} as a JSON string literal, for a message; a string of more than 200 characters is cut
   * there and ends in {@code ...}.
   */
  public static String quote(String s) {
    return Syntax.quote(s);
  }
}
