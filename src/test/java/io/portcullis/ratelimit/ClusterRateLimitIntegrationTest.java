package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.portcullis.testkit.AdminProbe;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeBackend;
import io.portcullis.testkit.FakeRedis;
import io.portcullis.lifecycle.UnhandledFailures;
import io.portcullis.testkit.GatewayClient;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RedisServer;
import io.portcullis.testkit.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code rateLimit.scope: "cluster"} through real gateways in front of a real backend, on a real
 * {@code redis-server} (shared, killed, restarted, paused) or a {@link FakeRedis} answering errors
 * and nonsense. Whatever Redis does, no request gets a 5xx or waits longer than
 * {@code redis.timeoutMs} (plus {@link #HEADROOM_MS} for a loaded machine) for its decision.
 */
@Timeout(120)
class ClusterRateLimitIntegrationTest {

  /** Scheduling headroom on top of a timeout, for a loaded 2-core machine (a proxied request included). */
  private static final long HEADROOM_MS = 600;
  private static final String STORE_ERRORS = "portcullis_rate_limit_store_errors_total";

  @RegisterExtension
  final Closer toClose = new Closer();

  private final FakeBackend backend = toClose.add(FakeBackend.ok("ok"));
  private final GatewayClient client = toClose.add(GatewayClient.create(true));

  @Test
  void twoGatewaysShareOneClusterLimit() {
    RedisServer redis = toClose.add(RedisServer.start());
    // One token per 1,000 s: only the burst of 10 can be admitted, by both gateways together.
    JsonObject config = config(redis.endpoint(), 2_000, "'requestsPerSecond': 0.001, 'burst': 10");
    TestGateway a = toClose.add(TestGateway.start(config));
    TestGateway b = toClose.add(TestGateway.start(config));

    int admitted = 0;
    int refused = 0;
    for (int i = 0; i < 16; i++) {
      GatewayClient.Reply reply = client.get((i % 2 == 0 ? a : b).port(), "/limited");
      if (reply.status() == 200) {
        admitted++;
      } else {
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.errorCode()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(reply.header("Retry-After"))).isBetween(1L, 1_000L);
        refused++;
      }
    }

    assertThat(admitted).isEqualTo(10);
    assertThat(refused).isEqualTo(6);
    assertThat(redis.command("DBSIZE")).isEqualTo("1");
    assertThat(redis.command("EXISTS", "portcullis:rl:7:limited:127.0.0.1")).isEqualTo("1");
    for (TestGateway gateway : List.of(a, b)) {
      assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).isZero();
    }
  }

  @Test
  void aGatewayConnectsToRedisAndLoadsItsScriptAtStartBeforeAnyRequest() {
    RedisServer redis = toClose.add(RedisServer.start());
    TestGateway gateway = toClose.add(TestGateway.start(config(redis.endpoint(), 2_000,
        "'requestsPerSecond': 10, 'burst': 10")));

    Await.until("the script loaded with no request made", 10_000,
        () -> redis.command("SCRIPT", "EXISTS", ClusterScript.SHA1).equals("1"));
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).as("decided by Redis").isZero();
  }

  @Test
  void startsWithoutRedisThenAKilledRedisFallsBackWithinTheTimeoutAndCountingResumesAfterARestart() {
    RedisServer redis = toClose.add(RedisServer.start());
    redis.kill();
    try (LogCapture health = LogCapture.of(StoreHealth.class.getName());
         LogCapture redisClient = LogCapture.of("io.vertx.redis")) {
      TestGateway gateway = toClose.add(TestGateway.start(config(redis.endpoint(), 50,
          "'requestsPerSecond': 10, 'burst': 1000")));
      assertThat(client.get(gateway.port(), "/limited").status()).as("start-up needs no Redis").isEqualTo(200);

      redis.restart();
      awaitCountedInRedis(gateway, redis);
      awaitOutageOver(gateway, health, 1);

      double errorsBefore = AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of());
      redis.kill();
      for (int i = 0; i < 30; i++) {
        GatewayClient.Reply reply = client.get(gateway.port(), "/limited");
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.elapsedMs()).isLessThanOrEqualTo(50 + HEADROOM_MS);
      }
      assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).isGreaterThanOrEqualTo(errorsBefore + 30);

      redis.restart();
      awaitCountedInRedis(gateway, redis);
      awaitOutageOver(gateway, health, 2);
      assertThat(health.events().stream().filter(e -> e.getLevel() == Level.WARN)).as("one warning per outage")
          .hasSize(2);
      assertThat(redisClient.events()).as("no line per failed connection attempt")
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }
  }

  @Test
  void aPausedRedisNeverHoldsARequestLongerThanTheTimeout() {
    RedisServer redis = toClose.add(RedisServer.start());
    TestGateway gateway = toClose.add(TestGateway.start(config(redis.endpoint(), 50,
        "'requestsPerSecond': 10, 'burst': 1000")));
    Await.until("counted in Redis", 20_000, () -> {
      client.get(gateway.port(), "/limited");
      return redis.command("EXISTS", "portcullis:rl:7:limited:127.0.0.1").equals("1");
    });

    redis.pause(3_000);
    long pausedAt = System.nanoTime();
    int during = 0;
    // At most 200 requests: once the outage is known the local bucket answers in about a
    // millisecond, and more than the burst of 1000 within the pause would be refused, rightly.
    while (System.nanoTime() - pausedAt < 2_000_000_000L && during < 200) {
      GatewayClient.Reply reply = client.get(gateway.port(), "/limited");
      assertThat(reply.status()).as("%s", reply).isEqualTo(200);
      assertThat(reply.elapsedMs()).isLessThanOrEqualTo(50 + HEADROOM_MS);
      during++;
    }
    assertThat(during).isGreaterThan(3);
    assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).isPositive();
  }

  @ParameterizedTest(name = "[{index}] Redis answers {0}")
  @ValueSource(strings = {"-ERR something broke\r\n", "+OK\r\n", "$3\r\nabc\r\n", ":-5\r\n", "\u0000\u00ffnot RESP\r\n",
      "%%%garbage&&&\r\n", "*2\r\n:1\r\n:abc\r\n", FakeRedis.SILENCE})
  void errorsNonsenseOrSilenceFromRedisAreDecidedLocally(String answer) {
    Vertx vertx = Vertx.vertx();
    toClose.add(() -> Await.result(vertx.close()));
    FakeRedis fake = toClose.add(FakeRedis.start(vertx, command -> {
      String name = command.get(0).toUpperCase(java.util.Locale.ROOT);
      return name.startsWith("EVAL") || name.equals("SCRIPT") ? answer : null;
    }));
    TestGateway gateway = toClose.add(TestGateway.start(config(fake.endpoint(), 100,
        "'requestsPerSecond': 0.001, 'burst': 3")));

    int admitted = 0;
    try (LogCapture vertxLog = LogCapture.of("io.vertx");
         LogCapture unhandled = LogCapture.of(UnhandledFailures.class.getName())) {
      for (int i = 0; i < 5; i++) {
        GatewayClient.Reply reply = client.get(gateway.port(), "/limited");
        assertThat(reply.status()).isIn(200, 429);
        assertThat(reply.elapsedMs()).isLessThanOrEqualTo(100 + HEADROOM_MS);
        admitted += reply.status() == 200 ? 1 : 0;
      }
      // Bad input from Redis is one warning for the outage, never a stack trace per reply.
      assertThat(vertxLog.events()).extracting(e -> e.getFormattedMessage()).isEmpty();
      assertThat(unhandled.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).isEmpty();
    }

    assertThat(admitted).as("the local bucket decided: it starts full, with the burst").isEqualTo(3);
    assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).isEqualTo(5);
  }

  @Test
  void aReloadTurnsAnInstanceLimitIntoAClusterOneAndFollowsANewRedis(@TempDir Path dir) throws Exception {
    RedisServer first = toClose.add(RedisServer.start());
    RedisServer second = toClose.add(RedisServer.start());
    Path file = dir.resolve("gateway.json");
    JsonObject config = TestGateway.withTestDefaults(config(first.endpoint(), 2_000,
        "'requestsPerSecond': 0.001, 'burst': 3, 'scope': 'instance'")).put("reload", new JsonObject().put("watch", false));
    Files.writeString(file, config.encode());
    TestGateway gateway = toClose.add(TestGateway.startFromFile(file));
    assertThat(client.get(gateway.port(), "/limited").status()).isEqualTo(200);
    assertThat(first.command("DBSIZE")).as("an instance limit").isEqualTo("0");

    limit(config).put("scope", "cluster");
    reload(gateway, file, config);
    // A changed limit starts with full buckets: three more, counted in Redis.
    assertThat(statuses(gateway, 4)).containsExactly(200, 200, 200, 429);
    assertThat(first.command("EXISTS", "portcullis:rl:7:limited:127.0.0.1")).isEqualTo("1");

    config.getJsonObject("redis").put("endpoint", second.endpoint());
    reload(gateway, file, config);
    assertThat(statuses(gateway, 4)).as("a new, empty Redis: a new bucket").containsExactly(200, 200, 200, 429);
    assertThat(second.command("EXISTS", "portcullis:rl:7:limited:127.0.0.1")).isEqualTo("1");
    assertThat(AdminProbe.counter(gateway.adminPort(), STORE_ERRORS, Map.of())).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Sends requests until one is counted in Redis (the bucket of one admitted request expires a
   * token's interval later: asked right after the request).
   */
  private void awaitCountedInRedis(TestGateway gateway, RedisServer redis) {
    Await.until("counted in Redis", 20_000, () -> {
      client.get(gateway.port(), "/limited");
      return redis.command("EXISTS", "portcullis:rl:7:limited:127.0.0.1").equals("1");
    });
  }

  /**
   * Sends requests until the store's {@code outage}-th outage is logged as over (Redis decides
   * again: the line {@code StoreHealth} writes once per outage end).
   */
  private void awaitOutageOver(TestGateway gateway, LogCapture health, int outage) {
    Await.until("outage " + outage + " over", 20_000, () -> {
      client.get(gateway.port(), "/limited");
      return health.events().stream().filter(e -> e.getLevel() == Level.INFO).count() >= outage;
    });
  }

  private List<Integer> statuses(TestGateway gateway, int n) {
    List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      statuses.add(client.get(gateway.port(), "/limited").status());
    }
    return statuses;
  }

  private static JsonObject limit(JsonObject config) {
    return config.getJsonArray("routes").getJsonObject(0).getJsonObject("rateLimit");
  }

  private static void reload(TestGateway gateway, Path file, JsonObject config) throws Exception {
    Files.writeString(file, config.encode());
    assertThat(new JsonObject(AdminProbe.post(gateway.adminPort(), "/admin/reload")).getString("result"))
        .isEqualTo("applied");
  }

  /** Route {@code limited} ({@code /limited}) with a cluster rate limit ({@code limit} merged in) on {@code redis}. */
  private JsonObject config(String redis, long timeoutMs, String limit) {
    JsonObject rateLimit = new JsonObject().put("scope", "cluster")
        .mergeIn(new JsonObject("{" + limit.replace('\'', '"') + "}"));
    return new JsonObject()
        .put("redis", new JsonObject().put("endpoint", redis).put("timeoutMs", timeoutMs))
        .put("upstreams", new JsonObject().put("backend", new JsonObject()
            .put("endpoints", new JsonArray().add("http://127.0.0.1:" + backend.port()))))
        .put("routes", new JsonArray().add(new JsonObject().put("name", "limited")
            .put("match", new JsonObject().put("pathPrefix", "/limited")).put("upstream", "backend")
            .put("rateLimit", rateLimit)));
  }
}
