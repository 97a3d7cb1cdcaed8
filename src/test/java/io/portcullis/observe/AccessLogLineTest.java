package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccessLogLineTest {

  /** The line as the gateway used to write it: a JsonObject encoded by Jackson. */
  private static String jackson(Instant ts, String requestId, String method, String path, String route, int status,
                                long durationMs, String upstream, int attempts, String traceId) {
    return new JsonObject()
        .put("ts", ts.toString())
        .put("requestId", requestId)
        .put("method", method)
        .put("path", path)
        .put("route", route)
        .put("status", status)
        .put("durationMs", durationMs)
        .put("upstream", upstream)
        .put("attempts", attempts)
        .put("traceId", traceId)
        .encode();
  }

  @Test
  void aTypicalLineIsWhatJacksonWrites() {
    Instant ts = Instant.parse("2026-12-05T19:05:01.123456Z");
    String line = AccessLogLine.format(ts, "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60", "GET", "/api/users/7", "users", 200,
        12, "users", 1, "0af7651916cd43dd8448eb211c80319c");

    assertThat(line).isEqualTo(jackson(ts, "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60", "GET", "/api/users/7", "users", 200,
        12, "users", 1, "0af7651916cd43dd8448eb211c80319c"));
    assertThat(line).isEqualTo("{\"ts\":\"2026-12-05T19:05:01.123456Z\",\"requestId\":\"3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60\","
        + "\"method\":\"GET\",\"path\":\"/api/users/7\",\"route\":\"users\",\"status\":200,\"durationMs\":12,"
        + "\"upstream\":\"users\",\"attempts\":1,\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"}");
  }

  @Test
  void absentValuesAreNull() {
    Instant ts = Instant.parse("2026-12-05T19:05:01Z");

    assertThat(AccessLogLine.format(ts, "id", "GET", "/x", null, 404, 0, null, 0, null))
        .isEqualTo(jackson(ts, "id", "GET", "/x", null, 404, 0, null, 0, null))
        .contains("\"ts\":\"2026-12-05T19:05:01Z\"", "\"route\":null", "\"traceId\":null");
  }

  @Test
  void timestampsAreWrittenAsInstantWritesThemWhateverTheirPrecision() {
    for (String ts : new String[] {"2026-12-05T19:05:01Z", "2026-12-05T19:05:01.100Z", "2026-12-05T19:05:01.000100Z",
        "2026-12-05T19:05:01.000000001Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00.5Z", "9999-12-31T23:59:59.999999999Z",
        "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00.25Z"}) {
      Instant instant = Instant.parse(ts);
      assertThat(AccessLogLine.format(instant, "a", "GET", "/", null, 200, 0, null, 0, null))
          .startsWith("{\"ts\":\"" + instant + "\",");
    }
  }

  @Test
  void consecutiveLinesOfOneSecondAndOfTheNextCarryTheirOwnTime() {
    Instant first = Instant.parse("2026-12-05T19:05:01.999Z");
    Instant second = Instant.parse("2026-12-05T19:05:02.001Z");

    assertThat(AccessLogLine.format(first, "a", "GET", "/", null, 200, 0, null, 0, null)).startsWith("{\"ts\":\"" + first);
    assertThat(AccessLogLine.format(second, "a", "GET", "/", null, 200, 0, null, 0, null)).startsWith("{\"ts\":\"" + second);
    assertThat(AccessLogLine.format(first, "a", "GET", "/", null, 200, 0, null, 0, null)).startsWith("{\"ts\":\"" + first);
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
      assertThat(AccessLogLine.format(ts, v, "GET", v, v, 502, 3, v, 2, v))
          .isEqualTo(jackson(ts, v, "GET", v, v, 502, 3, v, 2, v));
    }
  }
}
