package io.portcullis.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A place in the configuration document: its JSON path as printed in messages
 * ({@code routes[1].match.pathPrefix}), its position in document order, and the value found
 * there, if any.
 *
 * <p>The position is the list of member and element indexes leading to the value; comparing
 * positions lexicographically orders problems as a reader meets them. A node for an absent member
 * sorts at the end of its parent, where a reader notices that it is missing.
 *
 * <p>Making a node costs the same however deep or wide the document is: a node only links to its
 * parent, and its path and position are worked out when first asked for (for the few nodes that
 * have a problem). So a document of a million members, or member names of megabytes, is walked in
 * linear time. A member name longer than {@value #MAX_KEY_CHARS} characters is shortened in
 * paths ({@code x["kkkk..."]}): a path is for finding the place, not for quoting the name.
 */
final class Node implements Comparable<Node> {

  /** Keys printed as {@code parent.key}; any other key is printed as {@code parent["key"]}. */
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final int MAX_SHOWN_CHARS = 80;
  static final int MAX_KEY_CHARS = 64;
  private static final int END = Integer.MAX_VALUE;
  private static final int[] NO_POSITION = new int[0];
  /** Objects up to this size are searched for a member's index rather than indexed. */
  private static final int SMALL_OBJECT = 16;

  /** The parent, or null for the root. For an {@link #end()} node: the node it is the end of. */
  private final Node parent;
  /** The member name, or null for an element, the root or an end node. */
  private final String key;
  /** The element index, or -1. */
  private final int index;
  private final Object value;
  private final boolean present;
  /** Whether this is the {@link #end()} of its parent. */
  private final boolean endMarker;
  /** Member indexes of the document's objects, built when first needed; shared by every node. */
  private final Map<JsonObject, Map<String, Integer>> memberIndexes;

  /** The path, worked out when first needed. */
  private String path;
  /** The position, worked out when first needed (for nodes that are parents of compared nodes). */
  private int[] position;

  private Node(Node parent, String key, int index, Object value, boolean present, boolean endMarker,
      Map<JsonObject, Map<String, Integer>> memberIndexes) {
    this.parent = parent;
    this.key = key;
    this.index = index;
    this.value = value;
    this.present = present;
    this.endMarker = endMarker;
    this.memberIndexes = memberIndexes;
  }

  /** The whole document. */
  static Node root(Object value) {
    Node root = new Node(null, null, -1, value, true, false, new IdentityHashMap<>());
    root.path = "";
    root.position = NO_POSITION;
    return root;
  }

  /** The member {@code key} of this object; absent if this is no object or lacks the member. */
  Node child(String key) {
    Node self = endMarker ? parent : this;
    if (value instanceof JsonObject object && object.containsKey(key)) {
      return new Node(self, key, -1, object.getMap().get(key), true, false, memberIndexes);
    }
    return new Node(self, key, -1, null, false, false, memberIndexes);
  }

  /** The element {@code index} of this array; absent if this is no array or is too short. */
  Node element(int index) {
    Node self = endMarker ? parent : this;
    if (value instanceof JsonArray array && index < array.size()) {
      return new Node(self, null, index, array.getList().get(index), true, false, memberIndexes);
    }
    return new Node(self, null, index, null, false, false, memberIndexes);
  }

  /** This node's path placed after everything inside it: for problems of the value as a whole. */
  Node end() {
    return new Node(endMarker ? parent : this, null, -1, value, present, true, memberIndexes);
  }

  /** The path as printed in messages; {@code $} for the whole document. */
  String label() {
    String p = path();
    return p.isEmpty() ? "$" : p;
  }

  /** Whether the document has a value here (possibly JSON {@code null}). */
  boolean present() {
    return present;
  }

  /** The value: JsonObject, JsonArray, String, Number, Boolean, or null (JSON null or absent). */
  Object value() {
    return value;
  }

  /**
   * The value as JSON, shortened if long, for "got ..." in messages. Only the start of the value
   * is rendered, however large it is.
   */
  String shown() {
    StringBuilder out = new StringBuilder();
    render(value, out);
    return out.length() <= MAX_SHOWN_CHARS ? out.toString() : out.substring(0, MAX_SHOWN_CHARS - 3) + "...";
  }

  /**
   * An identity of this place, equal for two nodes of the same present value however they were
   * reached, for remembering places without building their paths.
   */
  Object place() {
    return new Place(parent == null ? NO_POSITION : parent.position(), parent == null ? -1 : step());
  }

  private record Place(int[] parentPosition, int step) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Place other && step == other.step && Arrays.equals(parentPosition, other.parentPosition);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(parentPosition) + step;
    }
  }

  @Override
  public int compareTo(Node other) {
    if (this == other) {
      return 0;
    }
    if (parent != null && parent == other.parent) {
      return Integer.compare(step(), other.step());
    }
    // Compare parent position + own step, without building either full position.
    int[] a = parent == null ? NO_POSITION : parent.position();
    int[] b = other.parent == null ? NO_POSITION : other.parent.position();
    int lengthA = parent == null ? 0 : a.length + 1;
    int lengthB = other.parent == null ? 0 : b.length + 1;
    int common = Math.min(lengthA, lengthB);
    for (int i = 0; i < common; i++) {
      int x = i < a.length ? a[i] : step();
      int y = i < b.length ? b[i] : other.step();
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return Integer.compare(lengthA, lengthB);
  }

  @Override
  public String toString() {
    return label();
  }

  // ---- paths and positions, worked out on demand ----

  private String path() {
    if (path == null) {
      path = endMarker ? parent.path() : parent.path() + segment(parent.path().isEmpty());
    }
    return path;
  }

  private String segment(boolean first) {
    if (key == null) {
      return "[" + index + "]";
    }
    if (key.length() > MAX_KEY_CHARS) {
      int cut = MAX_KEY_CHARS;
      if (Character.isHighSurrogate(key.charAt(cut - 1))) {
        cut--;
      }
      return "[" + Syntax.json(key.substring(0, cut) + "...") + "]";
    }
    if (PLAIN_KEY.matcher(key).matches()) {
      return first ? key : "." + key;
    }
    return "[" + Syntax.json(key) + "]";
  }

  private int[] position() {
    if (position == null) {
      int[] above = parent.position();
      int[] mine = Arrays.copyOf(above, above.length + 1);
      mine[above.length] = step();
      position = mine;
    }
    return position;
  }

  /** This node's index within its parent: member or element index, or END if absent or an end. */
  private int step() {
    if (endMarker || !present) {
      return END;
    }
    if (key == null) {
      return index;
    }
    JsonObject object = (JsonObject) parent.value;
    if (object.size() <= SMALL_OBJECT) {
      int i = 0;
      for (String name : object.getMap().keySet()) {
        if (name.equals(key)) {
          return i;
        }
        i++;
      }
    }
    Map<String, Integer> indexes = memberIndexes.get(object);
    if (indexes == null) {
      indexes = new HashMap<>();
      int i = 0;
      for (Iterator<String> names = object.getMap().keySet().iterator(); names.hasNext(); i++) {
        indexes.put(names.next(), i);
      }
      memberIndexes.put(object, indexes);
    }
    return indexes.get(key);
  }

  // ---- a bounded rendering of values ----

  /** Appends {@code value} as compact JSON, stopping soon after {@link #MAX_SHOWN_CHARS}. */
  private static void render(Object value, StringBuilder out) {
    if (out.length() > MAX_SHOWN_CHARS) {
      return;
    }
    if (value instanceof JsonObject object) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> member : object.getMap().entrySet()) {
        if (out.length() > MAX_SHOWN_CHARS) {
          return;
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(encodeStart(member.getKey())).append(':');
        render(member.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof JsonArray array) {
      out.append('[');
      List<Object> items = array.getList();
      for (int i = 0; i < items.size(); i++) {
        if (out.length() > MAX_SHOWN_CHARS) {
          return;
        }
        if (i > 0) {
          out.append(',');
        }
        render(items.get(i), out);
      }
      out.append(']');
    } else if (value instanceof String s) {
      out.append(encodeStart(s));
    } else if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof BigInteger || value instanceof BigDecimal) {
      out.append(value); // as Json.encode writes them: BigDecimal as toString(), 1E+400
    } else {
      out.append(Json.encode(value));
    }
  }

  /** A JSON string literal of {@code s}, or of enough of its start to fill a message. */
  private static String encodeStart(String s) {
    return Syntax.json(s.length() > MAX_SHOWN_CHARS + 1 ? s.substring(0, MAX_SHOWN_CHARS + 1) : s);
  }
}
