package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed, ambiguous and hostile HTTP/1.1 request heads sent as exact bytes on a
 * raw socket (RFC 9112 §2–§7, RFC 9110 §7.2, README "Errors" and "How a request flows"). Every row is refused by the
 * gateway itself with the JSON error body; none may reach the upstream, not even the pipelined
 * request that follows it on the same connection (the classic smuggling payload).
 */
@Timeout(120)
class SmugglingCorpusTest {

  /** What every row pipelines after its own bytes: if framing desyncs, this reaches the backend. */
  static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: gateway.test\r\n\r\n";

  private static final int MAX_HEADER_BYTES = 8192;
  private static final int READ_TIMEOUT_MS = 4000;

  private static final AtomicInteger SENTINELS = new AtomicInteger();

  private static FakeBackend backend;
  private static TestGateway gateway;

  /** One row: exact bytes, the expected status and error code, and whether the connection must close. */
  record Row(String name, byte[] bytes, int status, String code, boolean mustClose, long maxMillis) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() {
    backend = FakeBackend.start(req -> req.body().onComplete(ar -> req.response()
        .putHeader("Content-Type", "text/plain").end("backend saw " + req.uri())));
    JsonObject config = TestGateway.proxyConfig(null, backend.port());
    // One event loop: a sentinel request sent after a row's exchange is handled after anything the
    // gateway could have forwarded for that row (see forwardedBeforeSentinel).
    config.put("server", new JsonObject().put("maxHeaderBytes", MAX_HEADER_BYTES).put("instances", 1));
    gateway = TestGateway.start(config);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  // ------------------------------------------------------------------------------- the corpus

  static Stream<Arguments> rows() {
    List<Row> rows = new ArrayList<>();

    // Content-Length next to Transfer-Encoding, in every spelling of "chunked" (RFC 9112 §6.1, §6.3).
    String[] teValues = {
        " chunked", "  chunked", "\tchunked", " chunked ", " Chunked", " CHUNKED", " chunked, chunked",
        " gzip, chunked", " chunked, gzip", " xchunked", " chunk", "chunked", " identity"};
    for (String te : teValues) {
      rows.add(bad("CL + TE:" + printable(te),
          "POST /cl-te HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nTransfer-Encoding:" + te
              + "\r\n\r\n0\r\n\r\n" + SMUGGLED));
      rows.add(bad("TE:" + printable(te) + " + CL (TE first)",
          "POST /te-cl HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding:" + te + "\r\nContent-Length: 5"
              + "\r\n\r\n0\r\n\r\n" + SMUGGLED));
    }
    rows.add(bad("CL + TE header repeated twice",
        "POST /cl-te-te HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED));
    rows.add(bad("CL + TE: chunked, with CL 0",
        "POST /cl0-te HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n" + SMUGGLED));

    // Transfer-Encoding alone whose final coding is not chunked (RFC 9112 §6.3 item 4: 400).
    for (String te : new String[] {" gzip", " xchunked", " chunked, gzip", " gzip, chunked", " chunked, chunked",
        " chunk", " identity", " ", " ,chunked", " chunked,"}) {
      rows.add(bad("TE:" + printable(te) + " without CL",
          "POST /te-only HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding:" + te + "\r\n\r\n0\r\n\r\n" + SMUGGLED));
    }
    rows.add(bad("TE: gzip then TE: chunked (two lines) without CL",
        "POST /te-te HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED));
    rows.add(bad("TE: chunked twice (two lines) without CL",
        "POST /te-te HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED));
    rows.add(bad("TE on HTTP/1.0",
        "POST /te-10 HTTP/1.0\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED));
    rows.add(bad("TE on HTTP/1.0 with keep-alive",
        "POST /te-10 HTTP/1.0\r\nHost: gateway.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED));

    // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 item 5).
    rows.add(bad("two differing Content-Lengths",
        "POST /cl-cl HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello\n" + SMUGGLED));
    rows.add(bad("two differing Content-Lengths on HTTP/1.0 keep-alive",
        "POST /cl-cl HTTP/1.0\r\nHost: gateway.test\r\nConnection: keep-alive\r\nContent-Length: 0\r\n"
            + "Content-Length: 48\r\n\r\n" + SMUGGLED));
    rows.add(bad("Content-Length: 1, 2",
        "POST /cl-list HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1, 2\r\n\r\nab" + SMUGGLED));
    rows.add(bad("Content-Length: 0, 48 on HTTP/1.0 keep-alive",
        "POST /cl-list HTTP/1.0\r\nHost: gateway.test\r\nConnection: keep-alive\r\nContent-Length: 0, 48\r\n\r\n"
            + SMUGGLED));
    for (String cl : new String[] {"abc", "+5", "-1", "0x10", "5 5", "", "5a", "99999999999999999999"}) {
      rows.add(bad("Content-Length: " + cl,
          "POST /cl-nan HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: " + cl + "\r\n\r\nhello" + SMUGGLED));
    }

    // Header syntax (RFC 9112 §5).
    rows.add(bad("whitespace before the colon: Content-Length : 5",
        "POST /ws HTTP/1.1\r\nHost: gateway.test\r\nContent-Length : 5\r\n\r\nhello" + SMUGGLED));
    rows.add(bad("whitespace before the colon: Transfer-Encoding : chunked, with CL",
        "POST /ws HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\nTransfer-Encoding : chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED));
    rows.add(bad("tab before the colon",
        "GET /ws HTTP/1.1\r\nHost: gateway.test\r\nX-Foo\t: bar\r\n\r\n" + SMUGGLED));
    rows.add(bad("obs-fold (SP)",
        "GET /fold HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\r\n b\r\n\r\n" + SMUGGLED));
    rows.add(bad("obs-fold (HTAB)",
        "GET /fold HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\r\n\tb\r\n\r\n" + SMUGGLED));
    rows.add(bad("obs-fold continuing Transfer-Encoding",
        "POST /fold HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: gzip\r\n ,chunked\r\n\r\n0\r\n\r\n" + SMUGGLED));
    rows.add(bad("obs-fold continuing Content-Length",
        "POST /fold HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 0\r\n 5\r\n\r\nhello" + SMUGGLED));
    rows.add(bad("CR inside a header value",
        "GET /cr HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\rb\r\n\r\n" + SMUGGLED));
    rows.add(bad("LF inside a header value (bare LF)",
        "GET /lf HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\nb\r\n\r\n" + SMUGGLED));
    rows.add(bad("NUL inside a header value",
        "GET /nul HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\0b\r\n\r\n" + SMUGGLED));
    rows.add(bad("CR at the end of a header value",
        "GET /cr HTTP/1.1\r\nHost: gateway.test\r\nX-Foo: a\r\r\n\r\n" + SMUGGLED));
    rows.add(bad("bare LF line endings",
        "GET /lf HTTP/1.1\nHost: gateway.test\n\n" + SMUGGLED));
    rows.add(bad("bare CR line ending in the request line",
        "GET /cr\rHTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("a header line with no colon",
        "GET /nocolon HTTP/1.1\r\nHost: gateway.test\r\nNoColonHere\r\n\r\n" + SMUGGLED));
    rows.add(bad("a header line with an empty name",
        "GET /noname HTTP/1.1\r\nHost: gateway.test\r\n: value\r\n\r\n" + SMUGGLED));

    // Request line (RFC 9112 §2.3, §3).
    rows.add(bad("HTTP/1.2", "GET /v HTTP/1.2\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("HTTP/2.0 in an HTTP/1 request line", "GET /v HTTP/2.0\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("two SP between method and target", "GET  /v HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("HTAB as a request-line separator", "GET\t/v HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("trailing SP after the version", "GET /v HTTP/1.1 \r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("NUL before the request line", "\0GET /v HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("a space inside the target", "GET /a b HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));

    // Host (RFC 9112 §3.2, §3.2.2).
    rows.add(bad("missing Host on HTTP/1.1",
        "GET /nohost HTTP/1.1\r\nX-Foo: bar\r\n\r\n" + SMUGGLED));
    rows.add(bad("two Host headers",
        "GET /twohosts HTTP/1.1\r\nHost: gateway.test\r\nHost: evil.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("two identical Host headers",
        "GET /twohosts HTTP/1.1\r\nHost: gateway.test\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("Host with an invalid value",
        "GET /badhost HTTP/1.1\r\nHost: gate way.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("Host with userinfo",
        "GET /badhost HTTP/1.1\r\nHost: user@gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("absolute-form target whose authority differs from Host",
        "GET http://evil.test/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("absolute-form target whose port differs from Host",
        "GET http://gateway.test:8081/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("absolute-form target with userinfo",
        "GET http://user@gateway.test/x HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED));
    rows.add(bad("absolute-form target without Host",
        "GET http://gateway.test/x HTTP/1.1\r\nX-Foo: bar\r\n\r\n" + SMUGGLED));

    // Limits (RFC 9112 §3, RFC 6585 §5).
    rows.add(new Row("request line over the limit",
        ascii("GET /" + "a".repeat(MAX_HEADER_BYTES + 100) + " HTTP/1.1\r\nHost: gateway.test\r\n\r\n" + SMUGGLED),
        414, "uri_too_long", true, 0));
    rows.add(new Row("one header over server.maxHeaderBytes",
        ascii("GET /big HTTP/1.1\r\nHost: gateway.test\r\nX-Big: " + "b".repeat(MAX_HEADER_BYTES + 100) + "\r\n\r\n"
            + SMUGGLED),
        431, "headers_too_large", true, 0));
    StringBuilder many = new StringBuilder("GET /many HTTP/1.1\r\nHost: gateway.test\r\n");
    for (int i = 0; many.length() < MAX_HEADER_BYTES + 500; i++) {
      many.append("X-H").append(i).append(": value-").append(i).append("\r\n");
    }
    rows.add(new Row("header section over server.maxHeaderBytes",
        ascii(many.append("\r\n").append(SMUGGLED).toString()), 431, "headers_too_large", true, 0));
    StringBuilder tiny = new StringBuilder("GET /tiny HTTP/1.1\r\nHost: gateway.test\r\n");
    tiny.append("a:b\r\n".repeat(10_000));
    rows.add(new Row("10,000 tiny headers",
        ascii(tiny.append("\r\n").append(SMUGGLED).toString()), 431, "headers_too_large", true, 3000));

    return rows.stream().map(Arguments::of);
  }

  private static Row bad(String name, String request) {
    return new Row(name, ascii(request), 400, "bad_request", true, 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void isRefusedByTheGatewayAndNothingReachesTheUpstream(Row row) throws Exception {
    int before = backend.requests();

    long start = System.nanoTime();
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), row.bytes(), READ_TIMEOUT_MS);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(reply.status()).as("status of %s; reply:%n%s", row.name(), reply.text()).isEqualTo(row.status());
    assertThat(reply.statusLine()).as("status line").matches("HTTP/1\\.[01] \\d{3} .*");
    assertJsonError(reply, row.code());
    if (row.mustClose()) {
      assertThat(reply.closed()).as("connection closed after %s", row.name()).isTrue();
      assertThat(countResponses(reply.text())).as("exactly one response (nothing after the refusal) in:%n%s", reply.text()).isEqualTo(1);
    }
    if (row.maxMillis() > 0) {
      assertThat(elapsedMs).as("reply time of %s", row.name()).isLessThan(row.maxMillis());
    }
    assertThat(forwardedBeforeSentinel(before)).as("requests the upstream received for %s", row.name()).isEmpty();
  }

  // ------------------------------------------------------------------------------- paths

  static Stream<Arguments> paths() {
    return Stream.of(
        Arguments.of("/api/../admin", "/admin"),
        Arguments.of("/api/%2e%2e/admin", "/admin"),
        Arguments.of("/a/%2E%2e/x", "/x"),
        Arguments.of("//a//b", "/a/b"),
        Arguments.of("/a/./b/", "/a/b/"),
        Arguments.of("/api/users/..%2fadmin", "/api/users/..%2Fadmin"),
        Arguments.of("/%2e%2e/x", null),
        Arguments.of("/../x", null),
        Arguments.of("/a/../../x", null),
        Arguments.of("/.%2e/x", null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("paths")
  void pathsAreRoutedAndForwardedNormalized(String raw, String expected) throws Exception {
    int before = backend.requests();
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET " + raw + " HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n", READ_TIMEOUT_MS);
    if (expected == null) {
      assertThat(reply.status()).as("status for %s; reply:%n%s", raw, reply.text()).isEqualTo(400);
      assertJsonError(reply, "bad_request");
      assertThat(forwardedBeforeSentinel(before)).as("requests the upstream received for %s", raw).isEmpty();
    } else {
      assertThat(reply.status()).as("status for %s; reply:%n%s", raw, reply.text()).isEqualTo(200);
      assertThat(backend.requests()).isEqualTo(before + 1);
      assertThat(backend.seen().get(before).uri()).isEqualTo(expected);
      assertThat(reply.text()).endsWith("backend saw " + expected);
    }
  }

  /** Positive controls: well-framed requests in the same shapes do reach the upstream, once each. */
  static Stream<Arguments> wellFramed() {
    return Stream.of(
        Arguments.of("chunked", "POST /ok HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("Chunked (case-insensitive coding)", "POST /ok HTTP/1.1\r\nHost: gateway.test\r\n"
            + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("content-length", "POST /ok HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 5\r\n\r\nhello"),
        Arguments.of("content-length with OWS", "POST /ok HTTP/1.1\r\nHost: gateway.test\r\nContent-Length:  5 \r\n\r\nhello"),
        Arguments.of("HTTP/1.0 without Host", "GET /ok HTTP/1.0\r\n\r\n"),
        Arguments.of("absolute-form matching Host", "GET http://gateway.test/ok HTTP/1.1\r\nHost: gateway.test\r\n\r\n"),
        Arguments.of("absolute-form matching Host, case-insensitive",
            "GET http://Gateway.TEST/ok HTTP/1.1\r\nHost: gateway.test\r\n\r\n"),
        Arguments.of("Host with port", "GET /ok HTTP/1.1\r\nHost: gateway.test:8080\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFramed")
  void wellFramedRequestsAreForwarded(String name, String request) throws Exception {
    int before = backend.requests();
    String close = request.contains("HTTP/1.0") ? request : request.replaceFirst("\r\n", "\r\nConnection: close\r\n");
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), close, READ_TIMEOUT_MS);
    assertThat(reply.status()).as("status of %s; reply:%n%s", name, reply.text()).isEqualTo(200);
    assertThat(backend.requests()).isEqualTo(before + 1);
    assertThat(backend.seen().get(before).uri()).isEqualTo("/ok");
  }

  // ------------------------------------------------------------------------------- helpers

  /**
   * What the upstream received since it had {@code before} requests, apart from a sentinel: a
   * well-formed request sent on a new connection once the exchange under test is over. The
   * gateway runs one event loop, so anything it forwarded for that exchange went upstream ahead
   * of the sentinel, and the sentinel's 200 means the upstream had it: whatever the exchange
   * made the gateway forward has arrived by then. (Something arriving later still would show up
   * in the next row's window.)
   */
  private static List<String> forwardedBeforeSentinel(int before) throws IOException {
    String sentinel = "/sentinel/" + SENTINELS.incrementAndGet();
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET " + sentinel + " HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n", READ_TIMEOUT_MS);
    assertThat(reply.status()).as("status of the sentinel %s; reply:%n%s", sentinel, reply.text()).isEqualTo(200);
    List<String> received = new ArrayList<>(
        backend.seen().subList(before, backend.requests()).stream().map(FakeBackend.Seen::uri).toList());
    assertThat(received).as("the sentinel reached the upstream").contains(sentinel);
    received.remove(sentinel);
    return received;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String printable(String s) {
    return s.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
  }

  /** Checks the README "Errors" body: JSON with the error code, a message and the request id. */
  static void assertJsonError(RawHttp.Reply reply, String code) {
    String text = reply.text();
    int headEnd = text.indexOf("\r\n\r\n");
    assertThat(headEnd).as("a complete response head in:%n%s", text).isPositive();
    String head = text.substring(0, headEnd);
    assertThat(head.toLowerCase()).contains("content-type: application/json");
    int length = Integer.parseInt(header(head, "content-length"));
    String body = text.substring(headEnd + 4, Math.min(text.length(), headEnd + 4 + length));
    JsonObject json = new JsonObject(body);
    assertThat(json.getString("error")).as("error code in %s", body).isEqualTo(code);
    assertThat(json.getString("message")).isNotBlank();
    assertThat(json.getString("requestId")).isNotBlank();
    assertThat(header(head, "x-request-id")).isEqualTo(json.getString("requestId"));
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  static int countResponses(String text) {
    int count = 0;
    for (int i = text.indexOf("HTTP/1."); i >= 0; i = text.indexOf("HTTP/1.", i + 1)) {
      if (i == 0 || text.startsWith("\r\n", i - 2) || text.charAt(i - 1) == '}') {
        count++;
      }
    }
    return count;
  }
}
