package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of {@link RequestFraming} and {@link HeadScanner}, without a server. */
class RequestFramingTest {

  @ParameterizedTest
  @ValueSource(strings = {"chunked", "Chunked", "CHUNKED", " chunked", "chunked\t", " \tchunked  "})
  void chunkedInAnyCaseWithOwsIsChunked(String value) {
    assertThat(RequestFraming.isChunked(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "chunk", "xchunked", "chunkedx", "chunked, chunked", "gzip, chunked", "chunked,",
      "chunked;q=1", "identity"})
  void anythingElseIsNotChunked(String value) {
    assertThat(RequestFraming.isChunked(value)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "5", " 5 ", "005", "123456789012345678"})
  void decimalDigitsAreALength(String value) {
    assertThat(RequestFraming.isLength(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "+5", "-1", "0x10", "1, 2", "5 5", "abc", "1234567890123456789", "5\u0000"})
  void anythingElseIsNotALength(String value) {
    assertThat(RequestFraming.isLength(value)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway.test", "gateway.test:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:443",
      "xn--bcher-kva.example", "a%41b", "x_y~z-1"})
  void validAuthorities(String value) {
    assertThat(RequestFraming.isAuthority(value, 0, value.length(), false)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gate way", "user@host", "host:", "host:65536", "host:123456", "host:8o", ":80", "[]",
      "[::1", "a/b", "a%4", "a%zz", "host:80:80", "\u00e9.example"})
  void invalidAuthorities(String value) {
    assertThat(RequestFraming.isAuthority(value, 0, value.length(), false)).isFalse();
  }

  @Test
  void headRules() {
    assertThat(problem(false, "/", "Host", "h")).isNull();
    assertThat(problem(true, "/")).isNull();
    assertThat(problem(false, "/")).contains("without Host");
    assertThat(problem(false, "/", "Host", "h", "Host", "h")).contains("more than one Host");
    assertThat(problem(false, "/", "Host", "h", "Transfer-Encoding", "chunked")).isNull();
    assertThat(problem(true, "/", "Transfer-Encoding", "chunked")).contains("HTTP/1.0");
    assertThat(problem(false, "/", "Host", "h", "Transfer-Encoding", "chunked", "Content-Length", "0"))
        .contains("both");
    assertThat(problem(false, "/", "Host", "h", "Transfer-Encoding", "gzip")).contains("unsupported");
    assertThat(problem(false, "/", "Host", "h", "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"))
        .contains("unsupported");
    assertThat(problem(false, "/", "Host", "h", "Content-Length", "1", "Content-Length", "1"))
        .contains("more than one Content-Length");
    assertThat(problem(false, "/", "Host", "h", "Content-Length", "+1")).contains("Content-Length");
    assertThat(problem(false, "http://h/x", "Host", "h")).isNull();
    assertThat(problem(false, "HTTP://H:80/x", "Host", "h")).isNull();
    assertThat(problem(false, "https://h/x", "Host", "h:443")).isNull();
    assertThat(problem(false, "http://h:81/x", "Host", "h")).contains("differs");
    assertThat(problem(false, "http://other/x", "Host", "h")).contains("differs");
    assertThat(problem(false, "http://u@h/x", "Host", "h")).contains("userinfo");
    assertThat(problem(false, "http:///x", "Host", "h")).contains("invalid authority");
    assertThat(problem(true, "http://h/x")).isNull();
  }

  private static String problem(boolean http10, String uri, String... fields) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    int host = 0;
    int cl = 0;
    int te = 0;
    for (int i = 0; i < fields.length; i += 2) {
      headers.add(fields[i], fields[i + 1]);
      host += fields[i].equalsIgnoreCase("Host") ? 1 : 0;
      cl += fields[i].equalsIgnoreCase("Content-Length") ? 1 : 0;
      te += fields[i].equalsIgnoreCase("Transfer-Encoding") ? 1 : 0;
    }
    return RequestFraming.headProblem(http10, uri, headers, host, cl, te);
  }

  // ------------------------------------------------------------------------------- the scanner

  @Test
  void aCleanHeadPassesEvenWhenFedByteByByte() {
    String head = "\r\nGET /x HTTP/1.1\r\nHost: h\r\nX-A:\tb c\r\n\r\n";
    assertThat(scan(head, 8192)).isNull();
    HeadScanner scanner = new HeadScanner(8192);
    for (byte b : head.getBytes(StandardCharsets.ISO_8859_1)) {
      assertThat(scanner.process(b)).isTrue();
    }
    assertThat(scanner.violation()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "GET /x HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n",
      "GET /x HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n",
      "GET /x HTTP/1.1\nHost: h\r\n\r\n",
      "GET /x HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
      "GET /x HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n",
      "GET /x HTTP/1.1\r\nX-A: a\u007fb\r\n\r\n",
      "GET /x HTTP/1.1\r\nX-A: a\u000bb\r\n\r\n",
      "GET  /x HTTP/1.1\r\n\r\n",
      "GET\t/x HTTP/1.1\r\n\r\n",
      "GET /x HTTP/1.1 \r\n\r\n",
      "GET /x\r\n\r\n",
      "GET /a b HTTP/1.1\r\n\r\n"})
  void damagedHeadsAreRefused(String head) {
    assertThat(scan(head, 8192)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFieldSectionIsMeasuredWithItsLineEndings() {
    String fields = "a:b\r\n".repeat(10); // 50 bytes on the wire, 30 without line endings
    assertThat(scan("GET / HTTP/1.1\r\n" + fields + "\r\n", 50)).isNull();
    assertThat(scan("GET / HTTP/1.1\r\n" + fields + "\r\n", 49)).isInstanceOf(TooLongHttpHeaderException.class);
  }

  @Test
  void resetStartsAFreshHead() {
    HeadScanner scanner = new HeadScanner(8192);
    Unpooled.wrappedBuffer("GET /x HTTP/1.1\r\nX: a\r\n b\r\n".getBytes(StandardCharsets.ISO_8859_1)).forEachByte(scanner);
    assertThat(scanner.violation()).isNotNull();
    scanner.reset();
    Unpooled.wrappedBuffer("GET /x HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)).forEachByte(scanner);
    assertThat(scanner.violation()).isNull();
  }

  private static Exception scan(String head, int max) {
    HeadScanner scanner = new HeadScanner(max);
    Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1)).forEachByte(scanner);
    return scanner.violation();
  }
}
