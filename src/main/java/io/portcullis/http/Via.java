package io.portcullis.http;

/**
 * Reading the {@code Via} header (RFC 9110 §7.6.3) to find forwarding loops: how many of its
 * entries were added by a hop with a given pseudonym.
 *
 * <pre>
 * Via               = #( received-protocol RWS received-by [ RWS comment ] )
 * received-protocol = [ protocol-name "/" ] protocol-version
 * received-by       = pseudonym [ ":" port ]
 * comment           = "(" *( ctext / quoted-pair / comment ) ")"
 * </pre>
 *
 * <p>One pass over the characters, no allocation, no backtracking: the work is linear in the
 * header's length whatever it holds, and stops as soon as the count reaches the caller's limit.
 * Commas inside a comment do not separate entries (comments nest and may hold quoted pairs). An
 * entry that does not have the shape above (a lone token, a comment in place of the protocol) is
 * skipped up to the next comma and not counted; an unbalanced comment runs to the end of the
 * value. The pseudonym is compared without regard to case; a port after it
 * ({@code portcullis:8080}) does not change the pseudonym.
 */
public final class Via {

  /** The pseudonym the gateway writes into its own {@code Via} entry ({@code 1.1 portcullis}). */
  public static final String PSEUDONYM = "portcullis";

  private Via() {
  }

  /**
   * Counts the entries of {@code via} whose received-by is {@code pseudonym}, stopping at
   * {@code limit}.
   *
   * @param via the field value, several field lines joined with {@code ", "}; null counts 0
   * @param pseudonym the pseudonym to count (a token)
   * @param limit the count at which to stop reading, {@code >= 1}
   * @return the count, at most {@code limit}
   */
  public static int count(CharSequence via, String pseudonym, int limit) {
    if (via == null) {
      return 0;
    }
    int n = via.length();
    int count = 0;
    int i = 0;
    while (i < n) {
      char c = via.charAt(i);
      if (c == ' ' || c == '\t' || c == ',') {
        i++; // OWS, or an empty list element (RFC 9110 §5.6.1 lets a recipient skip those)
        continue;
      }
      int protocolEnd = tokenEnd(via, i, n);
      if (protocolEnd > i && protocolEnd < n && isWhitespace(via.charAt(protocolEnd))) {
        int by = skipWhitespace(via, protocolEnd, n);
        int byEnd = tokenEnd(via, by, n);
        if (byEnd > by && isPseudonym(via, by, byEnd, pseudonym) && ++count >= limit) {
          return count;
        }
        i = byEnd;
      } else {
        i = protocolEnd;
      }
      i = nextElement(via, i, n);
    }
    return count;
  }

  /**
   * Whether {@code via} already holds {@code maxHops} or more entries of this gateway
   * ({@link #PSEUDONYM}): the request has been round the loop too often.
   *
   * @param maxHops {@code >= 1}
   */
  public static boolean isLoop(CharSequence via, int maxHops) {
    return count(via, PSEUDONYM, maxHops) >= maxHops;
  }

  /** The end of the run of characters from {@code from} that can belong to a protocol or received-by. */
  private static int tokenEnd(CharSequence s, int from, int n) {
    int i = from;
    while (i < n) {
      char c = s.charAt(i);
      if (isWhitespace(c) || c == ',' || c == '(') {
        break;
      }
      i++;
    }
    return i;
  }

  private static int skipWhitespace(CharSequence s, int from, int n) {
    int i = from;
    while (i < n && isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Whether {@code s[from, to)} is {@code pseudonym}, optionally followed by {@code ":" port}. */
  private static boolean isPseudonym(CharSequence s, int from, int to, String pseudonym) {
    int len = pseudonym.length();
    if (to - from < len || (to - from > len && s.charAt(from + len) != ':')) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      char a = s.charAt(from + k);
      char b = pseudonym.charAt(k);
      if (a != b && Character.toLowerCase(a) != Character.toLowerCase(b)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index after the comma that ends the element containing {@code from} (or {@code n}),
   * skipping comments: their commas are text, they nest, and a backslash quotes the next character.
   */
  private static int nextElement(CharSequence s, int from, int n) {
    int depth = 0;
    int i = from;
    while (i < n) {
      char c = s.charAt(i++);
      if (depth > 0) {
        if (c == '\\') {
          i++; // quoted-pair
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
      } else if (c == '(') {
        depth = 1;
      } else if (c == ',') {
        return i;
      }
    }
    return n;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
