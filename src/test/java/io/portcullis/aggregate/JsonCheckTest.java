package io.portcullis.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCheckTest {

  @ParameterizedTest
  @ValueSource(strings = {"{}", "[]", "{\"a\":[1,2,{\"b\":null}]}", "12.50", "-0", "1e400", "\"text\"", "true",
      "null", " \n {\"a\":1} \r\n", "[[[[[]]]]]", "123456789012345678901234567890"})
  void oneJsonValueIsAccepted(String body) {
    assertThat(JsonCheck.isOneValue(Buffer.buffer(body))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"a\":1", "{\"a\":1}}", "{} {}", "1 2", "[1,]", "{'a':1}", "{a:1}",
      "// c\n{}", "{\"a\":1} x", "nul", "NaN", "01", "\"open", "]"})
  void anythingElseIsRefused(String body) {
    assertThat(JsonCheck.isOneValue(Buffer.buffer(body))).isFalse();
  }

  @org.junit.jupiter.api.Test
  void nestingPastTheLimitIsRefusedWithoutAStackOverflow() {
    String deep = "[".repeat(JsonCheck.MAX_DEPTH + 1) + "]".repeat(JsonCheck.MAX_DEPTH + 1);
    String limit = "[".repeat(JsonCheck.MAX_DEPTH) + "]".repeat(JsonCheck.MAX_DEPTH);
    assertThat(JsonCheck.isOneValue(Buffer.buffer(deep))).isFalse();
    assertThat(JsonCheck.isOneValue(Buffer.buffer(limit))).isTrue();
    assertThat(JsonCheck.isOneValue(Buffer.buffer("[".repeat(200_000)))).isFalse();
  }
}
