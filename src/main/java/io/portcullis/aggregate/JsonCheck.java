package io.portcullis.aggregate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Checks that bytes are exactly one JSON value (RFC 8259, strict: no comments, no single quotes,
 * nothing after the value but whitespace) with a streaming parser, building no tree.
 */
final class JsonCheck {

  /** Nesting deeper than this is refused (a backend's answer, not a fuzzer's). */
  static final int MAX_DEPTH = 1000;

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonCheck() {}

  /** Whether {@code bytes} hold one JSON value and nothing else but whitespace. */
  static boolean isOneValue(Buffer bytes) {
    byte[] array = bytes.getBytes();
    try (JsonParser parser = FACTORY.createParser(array)) {
      int depth = 0;
      JsonToken token = parser.nextToken();
      if (token == null) {
        return false;
      }
      do {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) {
            return false;
          }
        } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          depth--;
        }
        if (depth == 0) {
          break;
        }
        token = parser.nextToken();
      } while (token != null);
      return depth == 0 && parser.nextToken() == null;
    } catch (IOException e) {
      return false; // not JSON, or more than one value
    }
  }
}
