package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.RawHttp;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The gateway never forwards an ambiguous message (RFC 9112 §6.3, §7.1; README "How a request flows").
 *
 * <p>Each try builds a request from mutated framing: {@code Content-Length} and
 * {@code Transfer-Encoding} lines (values, name case, whitespace, repetition), Host and
 * line-ending damage, and a body that is sent raw or chunked with mutated chunk-size lines and
 * line endings. The body holds a would-be smuggled request; a sentinel request with
 * {@code Connection: close} follows on the same connection. The exact bytes go over a raw socket.
 *
 * <p>An oracle (the strict rules plus a strict chunked parser over the very same bytes) says what
 * must happen:
 * <ul>
 *   <li>an ambiguous or malformed head: the upstream receives nothing at all, the client gets a
 *       4xx and the connection is closed;</li>
 *   <li>one unambiguous framing: the upstream receives exactly that body, then the sentinel, and
 *       nothing else;</li>
 *   <li>a malformed chunked body behind a valid head: no body is ever completed upstream and
 *       nothing after it is forwarded;</li>
 *   <li>a chunk-size line that Netty reads leniently (whitespace around the size): either of the
 *       two above.</li>
 * </ul>
 */
class FramingPropertiesTest {

  private static final String HOST = "gateway.test";
  private static final AtomicInteger IDS = new AtomicInteger();

  private static FakeBackend backend;
  private static TestGateway gateway;
  /** Requests whose body the backend received completely: method, URI, body. */
  private static final List<Completed> completed = new CopyOnWriteArrayList<>();

  record Completed(String method, String uri, byte[] body) {
  }

  @BeforeContainer
  static void start() {
    backend = FakeBackend.start(req -> req.body().onComplete(ar -> {
      if (ar.succeeded()) {
        completed.add(new Completed(req.method().name(), req.uri(), ar.result().getBytes()));
        req.response().end("ok");
      } else {
        req.response().reset();
      }
    }));
    // One event loop: the sentinel sent after a refused try is handled after anything the gateway
    // could have forwarded for that try (see awaitSentinelAfter).
    gateway = TestGateway.start(TestGateway.proxyConfig(null, backend.port())
        .put("server", new JsonObject().put("instances", 1)));
  }

  @AfterContainer
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  // ------------------------------------------------------------------------------- the model

  enum Version { HTTP_11, HTTP_10, HTTP_10_KEEP_ALIVE }

  enum HeadDamage { NONE, NO_HOST, TWO_HOSTS, BARE_LF, OBS_FOLD, FOLDED_TE }

  /** A symbolic Content-Length value, rendered against the length of the body on the wire. */
  enum LengthValue {
    CORRECT, CORRECT_OWS, LEADING_ZERO, PLUS_ONE, MINUS_ONE, ZERO, SIGNED, NEGATIVE, HEX, LIST_SAME, LIST_DIFFERENT, EMPTY;

    String render(int length) {
      return switch (this) {
        case CORRECT -> Integer.toString(length);
        case CORRECT_OWS -> " " + length + "\t";
        case LEADING_ZERO -> "0" + length;
        case PLUS_ONE -> Integer.toString(length + 1);
        case MINUS_ONE -> Integer.toString(Math.max(0, length - 1));
        case ZERO -> "0";
        case SIGNED -> "+" + length;
        case NEGATIVE -> "-" + length;
        case HEX -> "0x" + Integer.toHexString(length);
        case LIST_SAME -> length + ", " + length;
        case LIST_DIFFERENT -> length + ", " + (length + 1);
        case EMPTY -> "";
      };
    }
  }

  /** One Content-Length or Transfer-Encoding field line: name as spelled, value (symbolic for CL). */
  record FramingLine(boolean contentLength, String name, LengthValue length, String coding) {
    String render(int wireLength) {
      return name + ":" + (contentLength ? " " + length.render(wireLength) : coding) + "\r\n";
    }

    boolean validName() {
      return !name.endsWith(" ") && !name.endsWith("\t");
    }

    @Override
    public String toString() {
      return SmugglingCorpusTest.printable(contentLength ? name + ": <" + length + ">" : name + ":" + coding);
    }
  }

  /** How one chunk is written: its size line (form, line end) and the end of its data. */
  record ChunkStyle(String sizeForm, String lineEnd, String dataEnd) {
    String sizeLine(int size) {
      String hex = Integer.toHexString(size);
      String text = switch (sizeForm) {
        case "lower" -> hex;
        case "upper" -> hex.toUpperCase(Locale.ROOT);
        case "zeros" -> "00" + hex;
        case "ext" -> hex + ";name=value";
        case "bws-ext" -> hex + " ;name=\"v\"";
        case "leading-sp" -> " " + hex;
        case "trailing-sp" -> hex + " ";
        case "0x" -> "0x" + hex;
        case "plus" -> "+" + hex;
        case "size+1" -> Integer.toHexString(size + 1);
        case "size-1" -> Integer.toHexString(Math.max(1, size - 1));
        default -> throw new IllegalStateException(sizeForm);
      };
      return text + lineEnd;
    }

    @Override
    public String toString() {
      return sizeForm + SmugglingCorpusTest.printable("/" + lineEnd + "/" + dataEnd);
    }
  }

  record Case(Version version, List<FramingLine> framing, HeadDamage damage, String body, boolean chunkedWithoutTe,
              List<ChunkStyle> chunks, String lastChunk) {

    boolean hasTe() {
      return framing.stream().anyMatch(f -> !f.contentLength());
    }

    boolean hasCl() {
      return framing.stream().anyMatch(FramingLine::contentLength);
    }

    /** Whether the body goes on the wire chunk-encoded. */
    boolean sendChunked() {
      return hasTe() || (chunkedWithoutTe && hasCl());
    }

    /** The body bytes as they go on the wire (raw, or chunk-encoded). */
    String wireBody() {
      if (!hasTe() && !hasCl()) {
        return ""; // no framing: no body (anything here would be the next request)
      }
      if (!sendChunked()) {
        return body;
      }
      StringBuilder out = new StringBuilder();
      int at = 0;
      for (int i = 0; i < chunks.size() && at < body.length(); i++) {
        int size = i == chunks.size() - 1 ? body.length() - at : Math.max(1, (body.length() - at) / 2);
        ChunkStyle style = chunks.get(i);
        out.append(style.sizeLine(size)).append(body, at, at + size).append(style.dataEnd());
        at += size;
      }
      return out.append(lastChunk).toString();
    }

    String render(int id) {
      String wire = wireBody();
      StringBuilder head = new StringBuilder("POST /t/").append(id).append(' ')
          .append(version == Version.HTTP_11 ? "HTTP/1.1" : "HTTP/1.0").append("\r\n");
      if (damage != HeadDamage.NO_HOST) {
        head.append("Host: ").append(HOST).append(damage == HeadDamage.BARE_LF ? "\n" : "\r\n");
      }
      if (damage == HeadDamage.TWO_HOSTS) {
        head.append("Host: other.test\r\n");
      }
      if (version == Version.HTTP_10_KEEP_ALIVE) {
        head.append("Connection: keep-alive\r\n");
      }
      if (damage == HeadDamage.OBS_FOLD) {
        head.append("X-Folded: a\r\n b\r\n");
      }
      for (FramingLine line : framing) {
        head.append(line.render(wire.length()));
      }
      if (damage == HeadDamage.FOLDED_TE) {
        head.append("Transfer-Encoding: identity\r\n ,chunked\r\n");
      }
      return head.append("\r\n").append(wire).toString();
    }
  }

  // ------------------------------------------------------------------------------- generators

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Version> versions = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just(Version.HTTP_11)),
        Tuple.of(1, Arbitraries.just(Version.HTTP_10)),
        Tuple.of(1, Arbitraries.just(Version.HTTP_10_KEEP_ALIVE)));
    Arbitrary<HeadDamage> damage = Arbitraries.frequencyOf(
        Tuple.of(30, Arbitraries.just(HeadDamage.NONE)),
        Tuple.of(1, Arbitraries.just(HeadDamage.NO_HOST)),
        Tuple.of(1, Arbitraries.just(HeadDamage.TWO_HOSTS)),
        Tuple.of(1, Arbitraries.just(HeadDamage.BARE_LF)),
        Tuple.of(1, Arbitraries.just(HeadDamage.OBS_FOLD)),
        Tuple.of(1, Arbitraries.just(HeadDamage.FOLDED_TE)));
    Arbitrary<List<FramingLine>> framing = Arbitraries.frequencyOf(
        Tuple.of(7, Arbitraries.oneOf(contentLengthLine(), transferEncodingLine()).list().ofSize(1)),
        Tuple.of(2, Arbitraries.oneOf(contentLengthLine(), transferEncodingLine()).list().ofMinSize(2).ofMaxSize(3)),
        Tuple.of(1, Arbitraries.just(List.of())));
    Arbitrary<List<ChunkStyle>> chunks = chunkStyle().list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<String> lastChunk = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.just("0\r\n\r\n")),
        Tuple.of(2, Arbitraries.just("0\r\nX-Trailer: t\r\n\r\n")),
        Tuple.of(1, Arbitraries.just("000;end=1\r\n\r\n")),
        Tuple.of(1, Arbitraries.just("0\n\n")),
        Tuple.of(1, Arbitraries.just("0\r\n\n")));
    return Combinators.combine(versions, framing, damage, bodies(), Arbitraries.of(true, false), chunks, lastChunk)
        .as(Case::new);
  }

  private static Arbitrary<String> bodies() {
    Arbitrary<String> text = Arbitraries.strings().withChars("abcxyz0123456789 ;:\r\n").ofMinLength(0).ofMaxLength(24);
    return Arbitraries.frequencyOf(
        Tuple.of(2, text),
        Tuple.of(2, text.map(t -> t + "\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")),
        Tuple.of(1, text.map(t -> "GET /smuggled HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 3\r\n\r\n" + t)));
  }

  private static Arbitrary<FramingLine> contentLengthLine() {
    Arbitrary<String> names = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("Content-Length")),
        Tuple.of(2, Arbitraries.of("content-length", "CONTENT-LENGTH", "Content-length")),
        Tuple.of(1, Arbitraries.of("Content-Length ", "Content-Length\t")));
    Arbitrary<LengthValue> values = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.just(LengthValue.CORRECT)),
        Tuple.of(2, Arbitraries.of(LengthValue.CORRECT_OWS, LengthValue.LEADING_ZERO)),
        Tuple.of(1, Arbitraries.of(LengthValue.PLUS_ONE, LengthValue.MINUS_ONE, LengthValue.ZERO)),
        Tuple.of(3, Arbitraries.of(LengthValue.SIGNED, LengthValue.NEGATIVE, LengthValue.HEX, LengthValue.LIST_SAME,
            LengthValue.LIST_DIFFERENT, LengthValue.EMPTY)));
    return Combinators.combine(names, values).as((n, v) -> new FramingLine(true, n, v, null));
  }

  private static Arbitrary<FramingLine> transferEncodingLine() {
    Arbitrary<String> names = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("Transfer-Encoding")),
        Tuple.of(2, Arbitraries.of("transfer-encoding", "TRANSFER-ENCODING")),
        Tuple.of(1, Arbitraries.of("Transfer-Encoding ", "Transfer-Encoding\t")));
    Arbitrary<String> codings = Arbitraries.frequencyOf(
        Tuple.of(16, Arbitraries.just(" chunked")),
        Tuple.of(4, Arbitraries.of(" Chunked", " CHUNKED", "chunked", "  chunked", "\tchunked", " chunked ", " chunked\t")),
        Tuple.of(4, Arbitraries.of(" chunked, chunked", " gzip, chunked", " chunked, gzip", " xchunked", " chunk",
            " identity", " gzip", " ", " chunked,", " ,chunked", " chunked;q=1")));
    return Combinators.combine(names, codings).as((n, c) -> new FramingLine(false, n, null, c));
  }

  private static Arbitrary<ChunkStyle> chunkStyle() {
    Arbitrary<String> forms = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just("lower")),
        Tuple.of(4, Arbitraries.of("upper", "zeros", "ext", "bws-ext")),
        Tuple.of(2, Arbitraries.of("leading-sp", "trailing-sp")),
        Tuple.of(2, Arbitraries.of("0x", "plus", "size+1", "size-1")));
    Arbitrary<String> lineEnds = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.just("\n")));
    Arbitrary<String> dataEnds = Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.of("\n", "")));
    return Combinators.combine(forms, lineEnds, dataEnds).as(ChunkStyle::new);
  }

  // ------------------------------------------------------------------------------- the oracle

  enum Kind {
    /** Head refused: nothing reaches the upstream, 4xx, connection closed. */
    REJECT_HEAD,
    /** One unambiguous framing: exactly {@code body} upstream, then the sentinel, nothing else. */
    FORWARD,
    /** Body framing broken behind a valid head: no body completes upstream, nothing after it. */
    REJECT_BODY,
    /** Netty may read a chunk-size line leniently: FORWARD or REJECT_BODY. */
    EITHER,
    /** A valid message followed by bytes of the client's own making: only its body is checked. */
    BODY_ONLY
  }

  record Expectation(Kind kind, byte[] body, String reason) {
  }

  static Expectation expect(Case c, byte[] afterHead, int wireLength) {
    boolean http10 = c.version() != Version.HTTP_11;
    if (c.damage() == HeadDamage.BARE_LF || c.damage() == HeadDamage.OBS_FOLD || c.damage() == HeadDamage.FOLDED_TE) {
      return new Expectation(Kind.REJECT_HEAD, null, "damaged head: " + c.damage());
    }
    if (c.damage() == HeadDamage.TWO_HOSTS || (c.damage() == HeadDamage.NO_HOST && !http10)) {
      return new Expectation(Kind.REJECT_HEAD, null, "Host rule: " + c.damage());
    }
    List<FramingLine> cl = c.framing().stream().filter(FramingLine::contentLength).toList();
    List<FramingLine> te = c.framing().stream().filter(f -> !f.contentLength()).toList();
    if (c.framing().stream().anyMatch(f -> !f.validName())) {
      return new Expectation(Kind.REJECT_HEAD, null, "whitespace before a colon");
    }
    if (!te.isEmpty()) {
      if (http10) {
        return new Expectation(Kind.REJECT_HEAD, null, "Transfer-Encoding on HTTP/1.0");
      }
      if (!cl.isEmpty()) {
        return new Expectation(Kind.REJECT_HEAD, null, "Content-Length and Transfer-Encoding");
      }
      if (te.size() > 1 || !te.get(0).coding().strip().equalsIgnoreCase("chunked")) {
        return new Expectation(Kind.REJECT_HEAD, null, "Transfer-Encoding other than one chunked");
      }
      return chunked(afterHead, wireLength);
    }
    if (cl.size() > 1) {
      return new Expectation(Kind.REJECT_HEAD, null, "several Content-Length lines");
    }
    if (cl.isEmpty()) {
      return new Expectation(Kind.FORWARD, new byte[0], "no body");
    }
    String value = cl.get(0).length().render(c.wireBody().length()).strip();
    if (!value.matches("[0-9]{1,18}")) {
      return new Expectation(Kind.REJECT_HEAD, null, "Content-Length not a number: " + value);
    }
    int length = Integer.parseInt(value);
    if (length == c.wireBody().length()) {
      return new Expectation(Kind.FORWARD, Arrays.copyOf(afterHead, length), "Content-Length");
    }
    return new Expectation(Kind.BODY_ONLY, Arrays.copyOf(afterHead, Math.min(length, afterHead.length)),
        "Content-Length not matching what follows");
  }

  private static Expectation chunked(byte[] afterHead, int wireLength) {
    ChunkedParse parse = ChunkedParse.parse(afterHead);
    return switch (parse.outcome) {
      case INVALID -> new Expectation(Kind.REJECT_BODY, null, "chunked body: " + parse.reason);
      case INCOMPLETE -> new Expectation(Kind.BODY_ONLY, null, "chunked body never ends");
      case VALID -> {
        if (parse.end != wireLength) {
          yield new Expectation(Kind.BODY_ONLY, parse.body, "chunked body ends elsewhere than sent");
        }
        yield new Expectation(parse.lenient ? Kind.EITHER : Kind.FORWARD, parse.body,
            parse.lenient ? "lenient chunk-size line" : "chunked");
      }
    };
  }

  /** A strict RFC 9112 §7.1 chunked-body parser, noting what Netty reads leniently. */
  static final class ChunkedParse {
    enum Outcome { VALID, INVALID, INCOMPLETE }

    Outcome outcome;
    String reason;
    byte[] body;
    int end;
    boolean lenient;

    private final byte[] in;
    private int at;

    private ChunkedParse(byte[] in) {
      this.in = in;
    }

    static ChunkedParse parse(byte[] in) {
      ChunkedParse p = new ChunkedParse(in);
      p.run();
      return p;
    }

    private void run() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String line = line();
        if (line == null) {
          return;
        }
        int size = size(line);
        if (size < 0) {
          return;
        }
        if (size == 0) {
          while (true) { // trailer section
            String trailer = line();
            if (trailer == null) {
              return;
            }
            if (trailer.isEmpty()) {
              break;
            }
            if (!trailer.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \\t]*[\\x21-\\x7e]*")) {
              invalid("bad trailer line");
              return;
            }
          }
          this.body = body.toByteArray();
          this.end = at;
          this.outcome = Outcome.VALID;
          return;
        }
        if (at + size + 2 > in.length) {
          outcome = Outcome.INCOMPLETE;
          return;
        }
        body.write(in, at, size);
        at += size;
        if (in[at] != '\r' || in[at + 1] != '\n') {
          invalid("chunk data not followed by CRLF");
          return;
        }
        at += 2;
      }
    }

    /** The next CRLF-terminated line, or null (outcome set). */
    private String line() {
      for (int i = at; i < in.length; i++) {
        if (in[i] == '\n') {
          if (i == at || in[i - 1] != '\r') {
            invalid("bare LF");
            return null;
          }
          String line = new String(in, at, i - 1 - at, StandardCharsets.ISO_8859_1);
          at = i + 1;
          if (line.indexOf('\r') >= 0) {
            invalid("bare CR");
            return null;
          }
          return line;
        }
      }
      outcome = Outcome.INCOMPLETE;
      return null;
    }

    private int size(String line) {
      String s = line;
      if (!s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(0) == '\t')) {
        lenient = true;
        s = s.stripLeading();
      }
      int digits = 0;
      while (digits < s.length() && Character.digit(s.charAt(digits), 16) >= 0) {
        digits++;
      }
      if (digits == 0 || digits > 7) {
        invalid("bad chunk size: " + line);
        return -1;
      }
      String rest = s.substring(digits);
      if (!rest.matches("([ \\t]*;[ \\t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+([ \\t]*=[ \\t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+|\"[^\"]*\"))?)*")) {
        if (rest.isBlank()) {
          lenient = true; // Netty stops at whitespace
        } else {
          invalid("bad chunk extension: " + line);
          return -1;
        }
      }
      return Integer.parseInt(s.substring(0, digits), 16);
    }

    private void invalid(String why) {
      outcome = Outcome.INVALID;
      reason = why;
    }
  }

  // ------------------------------------------------------------------------------- the property

  private static final String SENTINEL_TEMPLATE = "GET /__end/%d HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n";

  @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
  void theGatewayNeverForwardsAnAmbiguousMessage(@ForAll("cases") Case c) throws Exception {
    int id = IDS.incrementAndGet();
    String sentinel = String.format(SENTINEL_TEMPLATE, id);
    String request = c.render(id) + sentinel;
    byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
    String wire = c.wireBody();
    byte[] afterHead = (wire + sentinel).getBytes(StandardCharsets.ISO_8859_1);
    Expectation expected = expect(c, afterHead, wire.length());
    Statistics.label("expected outcome").collect(expected.kind());
    Statistics.label("body on the wire").collect(c.sendChunked() ? "chunked" : c.hasCl() ? "raw" : "none");
    String what = expected.kind() + " (" + expected.reason() + ") for:\n"
        + SmugglingCorpusTest.printable(request).replace("\\r\\n", "\\r\\n\n");

    RawHttp.Reply reply = RawHttp.exchange(gateway.port(), bytes, 2_500);
    if (expected.kind() != Kind.FORWARD) {
      awaitSentinelAfter(id); // anything wrongly forwarded for this try has reached the backend by then
    }

    String mine = "/" + id;
    List<FakeBackend.Seen> heads = backend.seen().stream().filter(s -> s.uri().endsWith(mine)).toList();
    List<Completed> done = completed.stream().filter(r -> r.uri().endsWith(mine)).toList();
    List<Completed> target = done.stream().filter(r -> r.uri().equals("/t/" + id)).toList();
    List<String> uris = heads.stream().map(FakeBackend.Seen::uri).toList();
    int status = reply.status();

    switch (expected.kind()) {
      case REJECT_HEAD -> {
        assertThat(uris).as("upstream requests, expected none: " + what).isEmpty();
        assertThat(status).as("status: " + what + "\nreply: " + reply.text()).isBetween(400, 499);
        assertThat(reply.closed()).as("closed: " + what).isTrue();
      }
      case FORWARD -> assertForwarded(c, id, expected, done, reply, what);
      case REJECT_BODY -> assertBodyRejected(id, target, uris, reply, what);
      case EITHER -> {
        if (target.isEmpty()) {
          assertBodyRejected(id, target, uris, reply, what);
        } else {
          assertForwarded(c, id, expected, done, reply, what);
        }
      }
      case BODY_ONLY -> {
        assertThat(target.size()).as("target requests: " + what).isLessThanOrEqualTo(1);
        if (expected.body() == null) {
          assertThat(target).as("completed bodies upstream: " + what).isEmpty();
        } else if (!target.isEmpty()) {
          assertThat(new String(target.get(0).body(), StandardCharsets.ISO_8859_1))
              .as("body upstream: " + what)
              .isEqualTo(new String(expected.body(), StandardCharsets.ISO_8859_1));
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /**
   * Sends a well-formed request on a new connection and waits for the backend to have completed
   * it. The gateway runs one event loop, so whatever it forwarded for try {@code id} went upstream
   * ahead of this one; the sentinel's URI does not end in {@code /id}, so it is not counted as
   * part of the try.
   */
  private static void awaitSentinelAfter(int id) throws IOException {
    String sentinel = "/__sentinel?after=" + id;
    RawHttp.Reply reply = RawHttp.exchange(gateway.port(),
        "GET " + sentinel + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 2_500);
    assertThat(reply.status()).as("status of the sentinel after try %d; reply:%n%s", id, reply.text()).isEqualTo(200);
    assertThat(completed).as("the sentinel completed upstream").anySatisfy(r -> assertThat(r.uri()).isEqualTo(sentinel));
  }

  private static void assertForwarded(Case c, int id, Expectation expected, List<Completed> done,
                                      RawHttp.Reply reply, String what) {
    boolean sentinelExpected = c.version() != Version.HTTP_10;
    List<String> expectedUris = new ArrayList<>(List.of("/t/" + id));
    if (sentinelExpected) {
      expectedUris.add("/__end/" + id);
    }
    assertThat(done.stream().map(Completed::uri).toList()).as("upstream requests: " + what + "\nreply: " + reply.text())
        .isEqualTo(expectedUris);
    assertThat(new String(done.get(0).body(), StandardCharsets.ISO_8859_1)).as("body upstream: " + what)
        .isEqualTo(new String(expected.body(), StandardCharsets.ISO_8859_1));
    assertThat(reply.status()).as("status: " + what).isEqualTo(200);
  }

  private static void assertBodyRejected(int id, List<Completed> target, List<String> uris, RawHttp.Reply reply,
                                         String what) {
    assertThat(target).as("completed bodies upstream: " + what).isEmpty();
    assertThat(uris).as("upstream requests: " + what).allMatch(u -> u.equals("/t/" + id));
    int status = reply.status();
    assertThat(status == -1 || (status >= 400 && status <= 499))
        .as("status %d, expected a 4xx or nothing: %s%nreply: %s", status, what, reply.text()).isTrue();
    assertThat(reply.closed()).as("closed: " + what).isTrue();
  }
}
