package io.portcullis.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The formats a configuration file may be written in, chosen by the file's extension: YAML for
 * {@code .yaml} and {@code .yml}, JSON for anything else. Both are read by Jackson's streaming
 * parsers into the same document, so they get the same checks and the same path-qualified
 * messages.
 */
public enum ConfigFormat {
  /** JSON (RFC 8259), strict: no comments, no trailing commas, no single quotes. */
  JSON("JSON"),
  /** YAML 1.1 as SnakeYAML reads it; comments allowed, aliases bounded, keys must be strings. */
  YAML("YAML");

  /** Deep enough for any configuration, shallow enough never to overflow the stack. */
  static final int MAX_DEPTH = 256;
  /** The longest number literal read. */
  static final int MAX_NUMBER_CHARS = 1000;
  /** The longest string or member name read, in characters (a file is read whole anyway). */
  static final int MAX_STRING_CHARS = 64 * 1024 * 1024;

  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxNestingDepth(MAX_DEPTH)
      .maxNumberLength(MAX_NUMBER_CHARS)
      .maxStringLength(MAX_STRING_CHARS)
      .maxNameLength(MAX_STRING_CHARS)
      .build();
  private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
      .streamReadConstraints(CONSTRAINTS)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES) // member names of a 10 MB file stay out of the JVM's pool
      .build();

  private final String displayName;

  ConfigFormat(String displayName) {
    this.displayName = displayName;
  }

  /** The format of {@code file}, by its extension: {@link #YAML} for .yaml and .yml, else {@link #JSON}. */
  public static ConfigFormat of(Path file) {
    Path name = file.getFileName();
    String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml") ? YAML : JSON;
  }

  /** The name used in messages: {@code $: invalid JSON: ...}. */
  public String displayName() {
    return displayName;
  }

  /** The limits both parsers apply. */
  static StreamReadConstraints constraints() {
    return CONSTRAINTS;
  }

  /** A parser of {@code text} in this format. */
  JsonParser parser(String text) throws IOException {
    return this == JSON ? JSON_FACTORY.createParser(text) : YamlText.parser(new StringReader(text));
  }

  /**
   * The value of a non-integral number token whose text is {@code text}: exact. A YAML float that
   * is no decimal number ({@code .inf}, {@code .nan}) stays the text it is, so that it reads as
   * "not a number" wherever a number belongs.
   */
  Object decimal(JsonParser parser, String text) throws IOException {
    if (this == JSON) {
      return new BigDecimal(text);
    }
    try {
      return new BigDecimal(text.replace("_", ""));
    } catch (NumberFormatException e) {
      return text;
    }
  }
}
