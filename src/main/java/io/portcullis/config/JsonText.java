package io.portcullis.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict RFC 8259 reader building Vert.x JSON values.
 *
 * <p>Why not {@code io.vertx.core.json.Json}: it accepts comments, silently keeps the last of two
 * members with the same name (a typo nobody sees) and leaves the line and column out of some
 * errors. This reader keeps member order, records duplicate names so they can be reported as
 * errors, and names the line and column of every syntax error. Numbers come out as
 * {@link Integer}, {@link Long} or {@link BigInteger} when written without fraction or exponent,
 * else as {@link BigDecimal}, exactly as written: {@code 0.99999999999999999999} must not pass
 * for the integer 1, as it would once rounded to a double.
 *
 * <p>Its work is linear in the length of the text, whatever the text: nesting is limited to
 * {@value #MAX_DEPTH} levels (no stack overflow), and numbers (RFC 8259 §9 lets a reader limit
 * their range and precision) to {@value #MAX_NUMBER_CHARS} characters and exponents to
 * ±{@value #MAX_EXPONENT}, which no setting comes near: converting a number of millions of digits
 * takes minutes, and {@code 1e9999999999} has no {@link BigDecimal} at all.
 */
final class JsonText {

  /** Deep enough for any configuration, shallow enough never to overflow the stack. */
  static final int MAX_DEPTH = 256;
  /** The longest number literal read. */
  static final int MAX_NUMBER_CHARS = 1000;
  /** The largest exponent, in magnitude, of a number literal read. */
  static final int MAX_EXPONENT = 9999;

  /** A syntax error; the message ends with {@code at line L, column C}. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message) {
      super(message);
    }
  }

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

  private final String text;
  private final List<DuplicateKey> duplicates = new ArrayList<>();
  /** One instance of each short string met so far: member names repeat in every route. */
  private final Map<String, String> canonical = new HashMap<>();
  private final List<Object> path = new ArrayList<>();
  private int pos;

  private JsonText(String text) {
    this.text = text;
  }

  /** Parses one JSON value filling the whole text (a leading byte order mark is ignored). */
  static Document parse(String text) throws SyntaxException {
    JsonText reader = new JsonText(text);
    if (text.startsWith("\uFEFF")) {
      reader.pos = 1;
    }
    reader.skipWhitespace();
    Object value = reader.value();
    reader.skipWhitespace();
    if (reader.pos < text.length()) {
      throw reader.error("unexpected " + reader.describeCurrent() + " after the end of the document");
    }
    return new Document(value, List.copyOf(reader.duplicates));
  }

  private Object value() throws SyntaxException {
    if (pos >= text.length()) {
      throw error("expected a value, got end of input");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return canonical(string());
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        if (c >= 'a' && c <= 'z') {
          return literal();
        }
        throw error("expected a value, got " + describeCurrent());
    }
  }

  private JsonObject object() throws SyntaxException {
    enter();
    pos++; // '{'
    Map<String, Object> members = new LinkedHashMap<>(8);
    List<Object> objectPath = null; // made at the first duplicate name
    Set<String> duplicateNames = null;
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return new JsonObject(members);
    }
    while (true) {
      if (peek() != '"') {
        throw error("expected a member name in double quotes, got " + describeCurrent());
      }
      String name = canonical(string());
      skipWhitespace();
      if (peek() != ':') {
        throw error("expected ':' after member name, got " + describeCurrent());
      }
      pos++;
      skipWhitespace();
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
      members.put(name, value());
      path.remove(path.size() - 1);
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        return new JsonObject(members);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}' after an object member, got " + describeCurrent());
      }
      skipWhitespace();
    }
  }

  private JsonArray array() throws SyntaxException {
    enter();
    pos++; // '['
    List<Object> items = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return new JsonArray(items);
    }
    while (true) {
      path.add(items.size());
      items.add(value());
      path.remove(path.size() - 1);
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        return new JsonArray(items);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']' after an array element, got " + describeCurrent());
      }
      skipWhitespace();
    }
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
    String first = canonical.get(s);
    if (first != null) {
      return first;
    }
    if (canonical.size() < MAX_CANONICAL_STRINGS) {
      canonical.put(s, s);
    }
    return s;
  }

  private String string() throws SyntaxException {
    pos++; // opening quote
    for (int end = pos; end < text.length(); end++) { // the common case: no escape
      char c = text.charAt(end);
      if (c == '"') {
        String plain = text.substring(pos, end);
        pos = end + 1;
        return plain;
      }
      if (c == '\\' || c < 0x20) {
        break;
      }
    }
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character " + codePoint(c) + " in a string (escape it)");
      }
      if (c != '\\') {
        out.append(c);
        pos++;
        continue;
      }
      if (pos + 1 >= text.length()) {
        throw error("unterminated string");
      }
      char e = text.charAt(pos + 1);
      switch (e) {
        case '"': out.append('"'); break;
        case '\\': out.append('\\'); break;
        case '/': out.append('/'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case 't': out.append('\t'); break;
        case 'u':
          out.append(unicodeEscape());
          continue;
        default:
          throw error("invalid escape '\\" + e + "' in a string");
      }
      pos += 2;
    }
  }

  private char unicodeEscape() throws SyntaxException {
    int start = pos + 2;
    if (start + 4 > text.length()) {
      throw error("invalid \\u escape in a string");
    }
    int value = 0;
    for (int k = start; k < start + 4; k++) {
      int digit = Character.digit(text.charAt(k), 16);
      if (digit < 0) {
        throw error("invalid \\u escape in a string");
      }
      value = value * 16 + digit;
    }
    pos = start + 4;
    return (char) value;
  }

  private Object number() throws SyntaxException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      skipDigits();
    } else {
      throw numberError(start);
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw numberError(start);
      }
      skipDigits();
    }
    int exponentStart = -1;
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw numberError(start);
      }
      exponentStart = pos;
      skipDigits();
    }
    if (isDigit(peek()) || Character.isLetter(peek())) {
      throw numberError(start);
    }
    if (pos - start > MAX_NUMBER_CHARS) {
      pos = start;
      throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
    }
    if (exponentStart >= 0 && exponentBeyondLimit(exponentStart, pos)) {
      String literal = text.substring(start, pos);
      pos = start;
      throw error("number '" + (literal.length() <= 40 ? literal : literal.substring(0, 37) + "...")
          + "' out of range (exponent beyond ±" + MAX_EXPONENT + ")");
    }
    String literal = text.substring(start, pos);
    if (integral) {
      BigInteger big = new BigInteger(literal);
      if (big.bitLength() < 32) {
        return big.intValue();
      }
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    return new BigDecimal(literal);
  }

  /** Whether the exponent digits {@code text[from, to)} are above {@link #MAX_EXPONENT}. */
  private boolean exponentBeyondLimit(int from, int to) {
    while (from < to - 1 && text.charAt(from) == '0') {
      from++;
    }
    return to - from > 4 || Integer.parseInt(text, from, to, 10) > MAX_EXPONENT;
  }

  private SyntaxException numberError(int start) {
    int end = pos;
    while (end < text.length()
        && ("+-.0123456789".indexOf(text.charAt(end)) >= 0 || Character.isLetter(text.charAt(end)))) {
      end++;
    }
    pos = start;
    return error("invalid number '" + text.substring(start, end) + "'");
  }

  private Object literal() throws SyntaxException {
    int start = pos;
    int end = pos;
    while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
      end++;
    }
    String word = text.substring(start, end);
    switch (word) {
      case "true":
        pos = end;
        return Boolean.TRUE;
      case "false":
        pos = end;
        return Boolean.FALSE;
      case "null":
        pos = end;
        return null;
      default:
        throw error("unrecognized token '" + word + "' (strings need double quotes)");
    }
  }

  /** Depth is the length of {@link #path}: one entry per enclosing member or element. */
  private void enter() throws SyntaxException {
    if (path.size() >= MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void skipDigits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The current character, or {@code '\0'} at the end (never a valid token start). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private String describeCurrent() {
    if (pos >= text.length()) {
      return "end of input";
    }
    char c = text.charAt(pos);
    return c > 0x20 && c < 0x7f ? "'" + c + "'" : codePoint(c);
  }

  private static String codePoint(char c) {
    return String.format("U+%04X", (int) c);
  }

  private SyntaxException error(String reason) {
    int line = 1;
    int column = 1;
    int end = Math.min(pos, text.length());
    for (int k = 0; k < end; k++) {
      char c = text.charAt(k);
      if (c == '\n' || (c == '\r' && (k + 1 >= text.length() || text.charAt(k + 1) != '\n'))) {
        line++;
        column = 1;
      } else if (c != '\r') {
        column++;
      }
    }
    return new SyntaxException(reason + " at line " + line + ", column " + column);
  }
}
