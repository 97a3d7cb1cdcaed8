package io.portcullis.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A place in the configuration document: its JSON path as printed in messages
 * ({@code routes[1].match.pathPrefix}), its position in document order, and the value found
 * there, if any.
 *
 * <p>The position is the list of member and element indexes leading to the value; comparing
 * positions lexicographically orders problems as a reader meets them. A node for an absent member
 * sorts at the end of its parent, where a reader notices that it is missing.
 */
final class Node implements Comparable<Node> {

  /** Keys printed as {@code parent.key}; any other key is printed as {@code parent["key"]}. */
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final int MAX_SHOWN_CHARS = 80;
  private static final int END = Integer.MAX_VALUE;

  private final String path;
  private final int[] position;
  private final Object value;
  private final boolean present;

  private Node(String path, int[] position, Object value, boolean present) {
    this.path = path;
    this.position = position;
    this.value = value;
    this.present = present;
  }

  /** The whole document. */
  static Node root(Object value) {
    return new Node("", new int[0], value, true);
  }

  /** The member {@code key} of this object; absent if this is no object or lacks the member. */
  Node child(String key) {
    String childPath = PLAIN_KEY.matcher(key).matches()
        ? (path.isEmpty() ? key : path + "." + key)
        : path + "[" + Json.encode(key) + "]";
    if (value instanceof JsonObject object && object.containsKey(key)) {
      int index = 0;
      for (String name : object.fieldNames()) {
        if (name.equals(key)) {
          break;
        }
        index++;
      }
      return new Node(childPath, append(position, index), object.getMap().get(key), true);
    }
    return new Node(childPath, append(position, END), null, false);
  }

  /** The element {@code index} of this array; absent if this is no array or is too short. */
  Node element(int index) {
    String childPath = path + "[" + index + "]";
    if (value instanceof JsonArray array && index < array.size()) {
      return new Node(childPath, append(position, index), array.getList().get(index), true);
    }
    return new Node(childPath, append(position, END), null, false);
  }

  /** This node's path placed after everything inside it: for problems of the value as a whole. */
  Node end() {
    return new Node(path, append(position, END), value, present);
  }

  /** The path as printed in messages; {@code $} for the whole document. */
  String label() {
    return path.isEmpty() ? "$" : path;
  }

  /** Whether the document has a value here (possibly JSON {@code null}). */
  boolean present() {
    return present;
  }

  /** The value: JsonObject, JsonArray, String, Number, Boolean, or null (JSON null or absent). */
  Object value() {
    return value;
  }

  /** The value as JSON, shortened if long, for "got ..." in messages. */
  String shown() {
    String json = Json.encode(value);
    return json.length() <= MAX_SHOWN_CHARS ? json : json.substring(0, MAX_SHOWN_CHARS - 3) + "...";
  }

  @Override
  public int compareTo(Node other) {
    return Arrays.compare(position, other.position);
  }

  private static int[] append(int[] position, int index) {
    int[] longer = Arrays.copyOf(position, position.length + 1);
    longer[position.length] = index;
    return longer;
  }

  @Override
  public String toString() {
    return label();
  }
}
