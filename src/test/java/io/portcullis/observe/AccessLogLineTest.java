package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccessLogLineTest {

  /** The trace id 0af7651916cd43dd8448eb211c80319c, in halves. */
  private static final long HIGH = 0x0af7651916cd43ddL;
  private static final long LOW = 0x8448eb211c80319cL;

  /** The line as Jackson writes it from a JsonObject with the same fields in the same order. */
  private static String jackson(Instant ts, String requestId, String method, String path, String route, int status,
                                long durationMs, String upstream, String endpoint, int attempts, String clientIp,
                                long bytesIn, long bytesOut, String error, long traceIdHigh, long traceIdLow) {
    return new JsonObject()
        .put("ts", ts.toString())
        .put("requestId", requestId)
        .put("method", method)
        .put("path", path)
        .put("route", route)
        .put("status", status)
        .put("durationMs", durationMs)
        .put("upstream", upstream)
        .put("endpoint", endpoint)
        .put("attempts", attempts)
        .put("clientIp", clientIp)
        .put("bytesIn", bytesIn)
        .put("bytesOut", bytesOut)
        .put("error", error)
        .put("traceId", traceIdHigh == 0 && traceIdLow == 0 ? null : String.format("%016x%016x", traceIdHigh, traceIdLow))
        .encode();
  }

  private static String line(Instant ts, String requestId) {
    return AccessLogLine.format(ts, requestId, "GET", "/", null, 200, 0, null, null, 0, null, 0, 0, null, 0, 0);
  }

  @Test
  void aTypicalLineIsWhatJacksonWrites() {
    Instant ts = Instant.parse("2026-12-05T19:05:01.123456Z");
    String line = AccessLogLine.format(ts, "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60", "POST", "/api/users/7", "users", 200,
        12, "users", "127.0.0.1:9001", 1, "203.0.113.7", 17, 4096, null, HIGH, LOW);

    assertThat(line).isEqualTo(jackson(ts, "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60", "POST", "/api/users/7", "users",
        200, 12, "users", "127.0.0.1:9001", 1, "203.0.113.7", 17, 4096, null, HIGH, LOW));
    assertThat(line).isEqualTo("{\"ts\":\"2026-12-05T19:05:01.123456Z\",\"requestId\":\"3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60\","
        + "\"method\":\"POST\",\"path\":\"/api/users/7\",\"route\":\"users\",\"status\":200,\"durationMs\":12,"
        + "\"upstream\":\"users\",\"endpoint\":\"127.0.0.1:9001\",\"attempts\":1,\"clientIp\":\"203.0.113.7\","
        + "\"bytesIn\":17,\"bytesOut\":4096,\"error\":null,\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}");
  }

  @Test
  void aGatewayErrorLineCarriesItsCodeAndNoEndpoint() {
    Instant ts = Instant.parse("2026-12-05T19:05:01Z");

    String line = AccessLogLine.format(ts, "id", "GET", "/x", "r", 504, 250, "svc", null, 2, "::1", 0, 97,
        "deadline_exceeded", 0, 0);

    assertThat(line).isEqualTo(jackson(ts, "id", "GET", "/x", "r", 504, 250, "svc", null, 2, "::1", 0, 97,
        "deadline_exceeded", 0, 0))
        .contains("\"endpoint\":null", "\"error\":\"deadline_exceeded\"", "\"clientIp\":\"::1\"", "\"bytesOut\":97");
  }

  @Test
  void absentValuesAreNull() {
    Instant ts = Instant.parse("2026-12-05T19:05:01Z");

    assertThat(AccessLogLine.format(ts, "id", "GET", "/x", null, 404, 0, null, null, 0, null, 0, 0, null, 0, 0))
        .isEqualTo(jackson(ts, "id", "GET", "/x", null, 404, 0, null, null, 0, null, 0, 0, null, 0, 0))
        .contains("\"ts\":\"2026-12-05T19:05:01Z\"", "\"route\":null", "\"endpoint\":null", "\"clientIp\":null",
            "\"error\":null", "\"traceId\":null");
  }

  @Test
  void byteCountsBeyondIntRangeAreWrittenWhole() {
    Instant ts = Instant.parse("2026-12-05T19:05:01Z");
    long big = 5_000_000_000L;

    assertThat(AccessLogLine.format(ts, "id", "PUT", "/f", "r", 200, 1, "u", "h:1", 1, "10.0.0.1", big, big + 1, null,
        0, 0)).contains("\"bytesIn\":5000000000,", "\"bytesOut\":5000000001,");
  }

  @Test
  void timestampsAreWrittenAsInstantWritesThemWhateverTheirPrecision() {
    for (String ts : new String[] {"2026-12-05T19:05:01Z", "2026-12-05T19:05:01.100Z", "2026-12-05T19:05:01.000100Z",
        "2026-12-05T19:05:01.000000001Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00.5Z", "9999-12-31T23:59:59.999999999Z",
        "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00.25Z"}) {
      Instant instant = Instant.parse(ts);
      assertThat(line(instant, "a")).startsWith("{\"ts\":\"" + instant + "\",");
    }
  }

  @Test
  void consecutiveLinesOfOneSecondAndOfTheNextCarryTheirOwnTime() {
    Instant first = Instant.parse("2026-12-05T19:05:01.999Z");
    Instant second = Instant.parse("2026-12-05T19:05:02.001Z");

    assertThat(line(first, "a")).startsWith("{\"ts\":\"" + first);
    assertThat(line(second, "a")).startsWith("{\"ts\":\"" + second);
    assertThat(line(first, "a")).startsWith("{\"ts\":\"" + first);
  }

  @Test
  void hostileStringsInEveryStringFieldAreEscapedAsJacksonEscapesThem() {
    Instant ts = Instant.parse("2026-12-05T19:05:01.5Z");
    for (String v : List.of("\"quoted\"", "back\\slash", "line\nbreak\r\ttab", "nul\u0000bell\u0007esc\u001b",
        "\u007fdel", "caf\u00e9 \u65e5\u672c \ud83d\ude00", "\ud800lone surrogate", "\",\"status\":200,\"x\":\"",
        "</script>\u2028\u2029")) {
      String line = AccessLogLine.format(ts, v, v, v, v, 502, 3, v, v, 2, v, 1, 2, v, HIGH, LOW);

      assertThat(line).isEqualTo(jackson(ts, v, v, v, v, 502, 3, v, v, 2, v, 1, 2, v, HIGH, LOW));
      JsonObject parsed = new JsonObject(line);
      for (String field : List.of("requestId", "method", "path", "route", "upstream", "endpoint", "clientIp", "error")) {
        assertThat(parsed.getString(field)).as(field + " of " + line).isEqualTo(v);
      }
      assertThat(parsed.getString("traceId")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(parsed.getInteger("status")).isEqualTo(502);
      assertThat(line).doesNotContain("\n", "\r");
    }
  }

  @Test
  void anyStringIsEscapedExactlyAsJacksonEscapesIt() {
    Random random = new Random(7);
    Instant ts = Instant.parse("2026-12-05T19:05:01.5Z");
    for (int n = 0; n < 5_000; n++) {
      StringBuilder value = new StringBuilder();
      int length = random.nextInt(20);
      for (int i = 0; i < length; i++) {
        int kind = random.nextInt(6);
        value.append(kind == 0 ? (char) random.nextInt(0x20) : kind == 1 ? "\"\\/\u007f".charAt(random.nextInt(4))
            : kind == 2 ? (char) (0x80 + random.nextInt(0x780)) : (char) (0x20 + random.nextInt(0x5f)));
      }
      String v = value.toString();
      long high = random.nextLong();
      long low = random.nextInt(3) == 0 ? 0 : random.nextLong(); // a lower half of 0: still written in full
      assertThat(AccessLogLine.format(ts, v, "GET", v, v, 502, 3, v, v, 2, v, 10, 20, v, high, low))
          .isEqualTo(jackson(ts, v, "GET", v, v, 502, 3, v, v, 2, v, 10, 20, v, high, low));
    }
  }
}
