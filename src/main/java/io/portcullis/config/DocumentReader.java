package io.portcullis.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Builds the configuration document from a Jackson streaming parser (JSON, or YAML through the
 * same tokens) as Vert.x JSON values the readers walk, keeping member order and recording every
 * member name used twice in one object (the parser's own duplicate detection stops at the first).
 *
 * <p>Numbers come out as {@link Integer}, {@link Long} or {@link java.math.BigInteger} when
 * integral in the text, else as {@link BigDecimal}, exactly as written: {@code 0.99999999999999999999}
 * must not pass for the integer 1, as it would once rounded to a double. Limits
 * ({@link ConfigFormat#constraints()}): nesting, the length of numbers, and exponents up to
 * ±{@value #MAX_EXPONENT} ({@code 1e9999999999} has no {@code BigDecimal} at all). A syntax error
 * or a limit passed is one {@link SyntaxException} naming the line and column.
 */
final class DocumentReader {

  /** The largest exponent, in magnitude, of a number literal read. */
  static final int MAX_EXPONENT = 9999;
  /** The most YAML aliases a document may use. */
  static final int MAX_ALIASES = 100;
  /** The most values YAML aliases may add to a document, all aliases together. */
  static final int MAX_ALIAS_VALUES = 10_000;

  /**
   * A document that cannot be read: a syntax error or a limit passed (the message ends with
   * {@code at line L, column C}), or a problem at a place of the document ({@link #path()} not
   * null), such as a YAML key that is not a string or an alias that expands too far.
   */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Object> path;

    SyntaxException(String message) {
      this(null, message);
    }

    SyntaxException(List<Object> path, String message) {
      super(message);
      this.path = path == null ? null : List.copyOf(path);
    }

    /** Where in the document the problem is (member names and indexes), or null for the text as a whole. */
    List<Object> path() {
      return path;
    }
  }

  /** A YAML anchor's value and how many values it holds. */
  private record Anchored(Object value, int size) {}

  /**
   * The parsed document.
   *
   * @param value the top-level value: JsonObject, JsonArray, String, Number, Boolean or null
   * @param duplicateKeys every member name used more than once in its object, once per object and
   *     name, in document order
   */
  record Document(Object value, List<DuplicateKey> duplicateKeys) {}

  /**
   * A member name used more than once in one object.
   *
   * @param object the path (member names and array indexes) of the object; one list shared by
   *     every duplicate name of that object
   * @param name the name
   */
  record DuplicateKey(List<Object> object, String name) {}

  /** Strings up to this long are shared between their occurrences (see {@link #canonical}). */
  private static final int MAX_CANONICAL_LENGTH = 64;
  /** How many distinct strings are shared at most. */
  private static final int MAX_CANONICAL_STRINGS = 4096;
  /** Jackson's note of where a structure started, reworded. */
  private static final Pattern START_MARKER =
      Pattern.compile(" \\(start marker at \\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]\\)");
  private static final Pattern SOURCE_NOTE = Pattern.compile(" ?\\(?(?:for|at) \\[Source: [^\\]]*\\]\\)?");
  private static final Pattern CODE_NOTE = Pattern.compile(" \\(code -?\\d+\\)");
  private static final Pattern COMMENT_NOTE =
      Pattern.compile("\\(not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser\\)");
  private static final Pattern CONSTRAINT_NOTE = Pattern.compile(",? ?\\(?from `StreamReadConstraints[^`]*`\\)?");

  private final JsonParser parser;
  private final ConfigFormat format;
  private final List<DuplicateKey> duplicates = new ArrayList<>();
  /** One instance of each short string met so far: member names repeat in every route. */
  private final Map<String, String> canonical = new HashMap<>();
  private final List<Object> path = new ArrayList<>();
  /** The YAML parser, or null for JSON. */
  private final YamlText.KeyCheckingParser yaml;
  private final Map<String, Anchored> anchors = new HashMap<>();
  /** Values built so far, copies of aliases included. */
  private int values;
  private int aliases;
  private int aliasValues;

  private DocumentReader(JsonParser parser, ConfigFormat format) {
    this.parser = parser;
    this.format = format;
    this.yaml = parser instanceof YamlText.KeyCheckingParser p ? p : null;
  }

  /** Reads the one value {@code parser} holds, to its end. */
  static Document read(JsonParser parser, ConfigFormat format) throws SyntaxException {
    DocumentReader reader = new DocumentReader(parser, format);
    try (parser) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw reader.error("expected a value, got end of input", parser.currentLocation());
      }
      Object value = reader.value(first);
      JsonToken after = parser.nextToken();
      if (after != null) {
        throw reader.error("unexpected " + reader.describe(after) + " after the end of the document",
            parser.currentTokenLocation());
      }
      return new Document(value, List.copyOf(reader.duplicates));
    } catch (StreamConstraintsException e) {
      // Where the value that passed a limit starts, not how far the parser had read ahead.
      throw reader.error(constraintReason(e), e.getLocation() != null && e.getLocation().getLineNr() > 0
          ? e.getLocation() : parser.currentTokenLocation());
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
        // SnakeYAML's own words, without the excerpt of the text it draws under them.
        String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
        throw new SyntaxException(oneLine(context + yaml.getProblem()) + " at line "
            + (yaml.getProblemMark().getLine() + 1) + ", column " + (yaml.getProblemMark().getColumn() + 1));
      }
      throw reader.error(reason(e), location(e, parser));
    } catch (IOException e) {
      throw reader.error(e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage()),
          parser.currentLocation());
    }
  }

  private Object value(JsonToken token) throws IOException, SyntaxException {
    if (yaml == null) {
      return plainValue(token);
    }
    if (token == JsonToken.VALUE_STRING && yaml.isCurrentAlias()) {
      return alias(yaml.getText());
    }
    String anchor = yaml.anchor();
    int before = values;
    Object value = plainValue(token);
    if (anchor != null) {
      anchors.put(anchor, new Anchored(value, values - before));
    }
    return value;
  }

  /**
   * A copy of the value anchored as {@code name}: aliases are expanded, so the document stays a
   * tree, within {@link #MAX_ALIASES} aliases and {@link #MAX_ALIAS_VALUES} values added, so that
   * a few lines cannot expand into billions of values.
   */
  private Object alias(String name) throws SyntaxException {
    Anchored anchored = anchors.get(name);
    if (anchored == null) {
      throw new SyntaxException(path, "YAML alias *" + name + " names no anchor defined before it");
    }
    aliases++;
    aliasValues += anchored.size();
    if (aliases > MAX_ALIASES) {
      throw new SyntaxException(path, "more than " + MAX_ALIASES + " YAML aliases (each expands to a copy of its "
          + "anchor; aliases are bounded so that a small file cannot grow into a huge document)");
    }
    if (aliasValues > MAX_ALIAS_VALUES) {
      throw new SyntaxException(path, "YAML aliases expand to more than " + MAX_ALIAS_VALUES + " values (aliases "
          + "are bounded so that a small file cannot grow into a huge document)");
    }
    values += anchored.size();
    return copy(anchored.value());
  }

  private static Object copy(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> members = new LinkedHashMap<>();
      object.getMap().forEach((name, member) -> members.put(name, copy(member)));
      return new JsonObject(members);
    }
    if (value instanceof JsonArray array) {
      List<Object> items = new ArrayList<>(array.size());
      array.getList().forEach(item -> items.add(copy(item)));
      return new JsonArray(items);
    }
    return value;
  }

  private Object plainValue(JsonToken token) throws IOException, SyntaxException {
    values++;
    return switch (token) {
      case START_OBJECT -> object();
      case START_ARRAY -> array();
      case VALUE_STRING -> canonical(parser.getText());
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> decimal();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw error("expected a value, got " + describe(token), parser.currentTokenLocation());
    };
  }

  private JsonObject object() throws IOException, SyntaxException {
    Map<String, Object> members = new LinkedHashMap<>();
    List<Object> objectPath = null;
    Set<String> duplicateNames = null;
    JsonToken token;
    while ((token = nextInObject()) == JsonToken.FIELD_NAME) {
      String name = canonical(parser.currentName());
      if (yaml != null && yaml.keyIsNotAString()) {
        path.add(name);
        throw new SyntaxException(path, "a key must be a string, got " + name + " (quote it: \"" + name + "\")");
      }
      if (members.containsKey(name)) {
        if (objectPath == null) {
          objectPath = List.copyOf(path);
          duplicateNames = new HashSet<>();
        }
        if (duplicateNames.add(name)) { // a third "port" tells nothing the second did not
          duplicates.add(new DuplicateKey(objectPath, name));
        }
      }
      path.add(name);
      members.put(name, value(parser.nextToken()));
      path.remove(path.size() - 1);
    }
    if (token != JsonToken.END_OBJECT) {
      throw error("expected a member name, got " + describe(token), parser.currentTokenLocation());
    }
    return new JsonObject(members);
  }

  /** The next token inside an object; a YAML key that is a sequence or a mapping is a problem there. */
  private JsonToken nextInObject() throws IOException, SyntaxException {
    try {
      return parser.nextToken();
    } catch (JsonProcessingException e) {
      if (yaml != null && e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Expected a field name")) {
        throw new SyntaxException(path, "a key must be a string, got a "
            + (e.getOriginalMessage().contains("SequenceStart") ? "sequence" : "mapping") + " as a key");
      }
      throw e;
    }
  }

  private JsonArray array() throws IOException, SyntaxException {
    List<Object> items = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw error("expected ',' or ']' after an array element, got end of input", parser.currentLocation());
      }
      path.add(items.size());
      items.add(value(token));
      path.remove(path.size() - 1);
    }
    return new JsonArray(items);
  }

  /** A non-integral number, exactly as written; its exponent at most {@value #MAX_EXPONENT}. */
  private Object decimal() throws IOException, SyntaxException {
    String text = parser.getText();
    int e = Math.max(text.indexOf('e'), text.indexOf('E'));
    if (e >= 0) {
      int digits = e + 1 < text.length() && (text.charAt(e + 1) == '+' || text.charAt(e + 1) == '-') ? e + 2 : e + 1;
      String exponent = text.substring(digits).replaceFirst("^0+(?=.)", "");
      if (exponent.length() > 4 || Integer.parseInt(exponent) > MAX_EXPONENT) {
        String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        throw error("number '" + shown + "' out of range (exponent beyond ±" + MAX_EXPONENT + ")",
            parser.currentTokenLocation());
      }
    }
    return format.decimal(parser, text);
  }

  /**
   * The instance of {@code s} met first, for short strings: a document of ten megabytes repeats
   * "name", "match" and "upstream" in each of a hundred thousand routes, and these copies would
   * take more memory than the text itself.
   */
  private String canonical(String s) {
    if (s.length() > MAX_CANONICAL_LENGTH) {
      return s;
    }
    String known = canonical.get(s);
    if (known != null) {
      return known;
    }
    if (canonical.size() < MAX_CANONICAL_STRINGS) {
      canonical.put(s, s);
    }
    return s;
  }

  private String describe(JsonToken token) throws IOException {
    if (token == null) {
      return "end of input";
    }
    return switch (token) {
      case START_OBJECT -> "'{'";
      case START_ARRAY -> "'['";
      case END_OBJECT -> "'}'";
      case END_ARRAY -> "']'";
      default -> "'" + (parser.getText().length() > 20 ? parser.getText().substring(0, 17) + "..." : parser.getText())
          + "'";
    };
  }

  private static JsonLocation location(JsonProcessingException e, JsonParser parser) {
    JsonLocation location = e.getLocation();
    return location != null && location.getLineNr() > 0 ? location : parser.currentLocation();
  }

  /** The parser's reason, on one line, without its notes on the source. */
  private static String reason(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    Matcher start = START_MARKER.matcher(message);
    message = start.replaceAll(" (opened at line $1, column $2)");
    message = SOURCE_NOTE.matcher(message).replaceAll("");
    message = CODE_NOTE.matcher(message).replaceAll("");
    message = COMMENT_NOTE.matcher(message).replaceAll("(JSON has no comments)");
    return oneLine(message);
  }

  /** A limit passed, worded as the limit: {@code nesting deeper than 256 levels}. */
  private static String constraintReason(StreamConstraintsException e) {
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (message.contains("nesting depth")) {
      return "nesting deeper than " + ConfigFormat.MAX_DEPTH + " levels";
    }
    if (message.startsWith("Number value length") || message.startsWith("Number length")) {
      return "number longer than " + ConfigFormat.MAX_NUMBER_CHARS + " characters";
    }
    return oneLine(CONSTRAINT_NOTE.matcher(message).replaceAll(""));
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  private SyntaxException error(String reason, JsonLocation location) {
    int line = location == null ? 0 : location.getLineNr();
    int column = location == null ? 0 : location.getColumnNr();
    return new SyntaxException(reason + " at line " + Math.max(line, 1) + ", column " + Math.max(column, 1));
  }
}
