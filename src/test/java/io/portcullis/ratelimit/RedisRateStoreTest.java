package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.ratelimit.RateStoreException.Reason;
import io.portcullis.lifecycle.UnhandledFailures;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.FakeRedis;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RedisRateStore} against a real {@code redis-server} (killed, restarted, paused) and
 * against {@link FakeRedis} answering errors, nonsense or nothing. Every decision must complete,
 * successfully, within the store's timeout plus {@link #HEADROOM_MS} for a loaded machine.
 */
@Timeout(120)
class RedisRateStoreTest {

  /** Scheduling headroom on top of a timeout, for a loaded 2-core machine. */
  private static final long HEADROOM_MS = 450;
  /** A timeout long enough that a healthy local Redis always answers within it. */
  private static final long GENEROUS_TIMEOUT_MS = 2_000;

  @RegisterExtension
  final Closer toClose = new Closer();

  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(UnhandledFailures::report); // as the gateway's Vert.x has
    toClose.add(() -> Await.result(vertx.close()));
  }

  @Test
  void twoGatewaysShareOneBucketExactly() {
    RedisServer redis = toClose.add(RedisServer.start());
    Vertx other = Vertx.vertx();
    toClose.add(() -> Await.result(other.close()));
    Gateway a = gateway(vertx, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    Gateway b = gateway(other, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    // One token per 1,000 s: only the burst can be admitted during the test.
    ClusterLimit limitA = new ClusterLimit("shared", new RateLimiter(0.001, 10, Ticker.system()));
    ClusterLimit limitB = new ClusterLimit("shared", new RateLimiter(0.001, 10, Ticker.system()));

    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      // One at a time, and four at once (sent together in one write).
      List<Decision> decisions = new ArrayList<>(a.decideAll(limitA, "client", i % 2 == 0 ? 1 : 4));
      decisions.addAll(b.decideAll(limitB, "client", i % 2 == 0 ? 4 : 1));
      for (Decision decision : decisions) {
        if (decision.waitNanos == 0) {
          admitted++;
        } else {
          assertThat(decision.waitNanos).isPositive().isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1_000));
        }
      }
    }

    assertThat(admitted).isEqualTo(10);
    assertThat(a.health.fallbacks() + b.health.fallbacks()).isZero();
    assertThat(redis.command("EXISTS", limitA.bucket("client"))).isEqualTo("1");
  }

  @Test
  void aStoreConnectedAheadHasItsConnectionAndScriptBeforeTheFirstRequest() {
    RedisServer redis = toClose.add(RedisServer.start());
    Gateway gateway = gateway(vertx, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    assertThat(redis.command("SCRIPT", "EXISTS", ClusterScript.SHA1)).as("not loaded before").isEqualTo("0");

    gateway.onLoop(() -> {
      gateway.store.connectAhead();
      return Future.succeededFuture();
    });

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!redis.command("SCRIPT", "EXISTS", ClusterScript.SHA1).equals("1") && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(redis.command("SCRIPT", "EXISTS", ClusterScript.SHA1)).as("loaded with no request made").isEqualTo("1");
    ClusterLimit limit = new ClusterLimit("ahead", new RateLimiter(1, 1, Ticker.system()));
    assertThat(gateway.decide(limit, "k").waitNanos).isZero();
    assertThat(gateway.health.fallbacks()).isZero();
  }

  @Test
  void clusterAndLocalBucketsGiveTheSameAnswers() {
    RedisServer redis = toClose.add(RedisServer.start());
    Gateway gateway = gateway(vertx, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    RateLimiter local = new RateLimiter(2, 3, Ticker.system());
    ClusterLimit limit = new ClusterLimit("same", new RateLimiter(2, 3, Ticker.system()));

    List<Long> clusterWaits = new ArrayList<>();
    List<Long> localWaits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clusterWaits.add(gateway.decide(limit, "k").waitNanos);
      localWaits.add(local.acquire("k"));
    }

    assertThat(gateway.health.fallbacks()).isZero();
    assertThat(clusterWaits.subList(0, 3)).containsOnly(0L);
    assertThat(localWaits.subList(0, 3)).containsOnly(0L);
    for (List<Long> waits : List.of(clusterWaits, localWaits)) {
      // Two tokens a second: a refused request takes no token, and waits at most half a second.
      assertThat(waits.get(3)).isPositive().isLessThanOrEqualTo(500_000_000L);
      assertThat(waits.get(4)).isPositive().isLessThanOrEqualTo(waits.get(3));
      assertThat(RateLimiter.retryAfterSeconds(waits.get(3))).isEqualTo(1);
    }
  }

  @Test
  void startsWithoutRedisAndCountsInRedisOnceItAnswers() {
    RedisServer redis = toClose.add(RedisServer.start());
    redis.kill();
    Gateway gateway = gateway(vertx, redis.endpoint(), 100);
    ClusterLimit limit = new ClusterLimit("later", new RateLimiter(1_000, 1_000, Ticker.system()));

    Decision first = gateway.decide(limit, "k");
    assertThat(first.waitNanos).as("decided by the local bucket, which starts full").isZero();
    assertThat(first.tookMs).isLessThanOrEqualTo(100 + HEADROOM_MS);
    assertThat(gateway.health.fallbacks(Reason.UNAVAILABLE)).isPositive();

    redis.restart();
    Await.until("a decision counted in Redis", 20_000, () -> {
      gateway.decide(limit, "k");
      return redis.command("EXISTS", limit.bucket("k")).equals("1");
    });
  }

  @Test
  void aKilledRedisFallsBackWithinTheTimeoutWarnsOnceAndCountingResumesAfterARestart() {
    RedisServer redis = toClose.add(RedisServer.start());
    Gateway gateway = gateway(vertx, redis.endpoint(), 50);
    ClusterLimit limit = new ClusterLimit("outage", new RateLimiter(1_000, 1_000, Ticker.system()));
    // Connected, and any outage of the connection's first moments over (so the next one warns).
    Await.until("connected", 20_000, () -> gateway.decide(limit, "warm").fromRedis(gateway)
        && !gateway.health.down());

    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      redis.kill();
      for (int i = 0; i < 30; i++) {
        Decision decision = gateway.decide(limit, "k" + i);
        assertThat(decision.waitNanos).isZero();
        assertThat(decision.tookMs).isLessThanOrEqualTo(50 + HEADROOM_MS);
      }
      assertThat(gateway.health.fallbacks()).isGreaterThanOrEqualTo(30);
      assertThat(gateway.health.down()).isTrue();

      redis.restart();
      Await.until("a decision counted in Redis", 20_000, () -> {
        gateway.decide(limit, "after");
        return redis.command("EXISTS", limit.bucket("after")).equals("1");
      });
      Await.until("the outage over", 20_000, () -> {
        gateway.decide(limit, "after");
        return !gateway.health.down();
      });
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.INFO)).hasSize(1);
    }
  }

  @Test
  void aPausedRedisTimesOutEveryDecisionAndBoundsWhatItOwes() {
    RedisServer redis = toClose.add(RedisServer.start());
    int maxOutstanding = 16;
    Gateway gateway = gateway(vertx, redis.endpoint(), 50, maxOutstanding);
    ClusterLimit limit = new ClusterLimit("stall", new RateLimiter(1_000, 1_000, Ticker.system()));
    Await.until("connected", 20_000, () -> gateway.decide(limit, "warm").fromRedis(gateway));

    long timeoutsBefore = gateway.health.fallbacks(Reason.TIMEOUT);
    redis.pause(4_000);
    long pausedAt = System.nanoTime();
    // 100 at once: 16 are sent and time out, the others are not sent at all.
    List<Decision> burst = gateway.decideAll(limit, "burst", 100);
    assertThat(burst).allSatisfy(d -> assertThat(d.tookMs).isLessThanOrEqualTo(50 + HEADROOM_MS));
    assertThat(gateway.health.fallbacks(Reason.TIMEOUT) - timeoutsBefore).isEqualTo(maxOutstanding);
    assertThat(gateway.health.fallbacks(Reason.OVERLOADED)).isEqualTo(100 - maxOutstanding);
    // One after another while the pause lasts: each still within the timeout.
    while (System.nanoTime() - pausedAt < TimeUnit.MILLISECONDS.toNanos(2_500)) {
      assertThat(gateway.decide(limit, "k").tookMs).isLessThanOrEqualTo(50 + HEADROOM_MS);
    }
    assertThat(gateway.onLoop(() -> Future.succeededFuture(gateway.store.undecided()))).isZero();

    Await.until("decisions by Redis again", 20_000, () -> gateway.decide(limit, "resumed").fromRedis(gateway));
  }

  @Test
  void aFlushedScriptIsSentAgainWithoutAFallback() {
    RedisServer redis = toClose.add(RedisServer.start());
    Gateway gateway = gateway(vertx, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    ClusterLimit limit = new ClusterLimit("flush", new RateLimiter(0.001, 2, Ticker.system()));
    assertThat(gateway.decide(limit, "k").waitNanos).isZero();

    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");
    assertThat(gateway.decide(limit, "k").waitNanos).isZero();
    assertThat(gateway.decide(limit, "k").waitNanos).isPositive();
    // And for calls sent together.
    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");
    assertThat(gateway.decideAll(limit, "group", 5)).extracting(Decision::waitNanos).filteredOn(w -> w == 0).hasSize(2);
    assertThat(gateway.health.fallbacks()).isZero();
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # raw answer to SCRIPT and EVALSHA/EVAL              | reason
      -ERR something broke\\r\\n                            | ERROR_REPLY
      -NOSCRIPT No matching script\\r\\n                     | ERROR_REPLY
      -BUSY Redis is busy running a script\\r\\n             | ERROR_REPLY
      +OK\\r\\n                                             | BAD_REPLY
      $3\\r\\nabc\\r\\n                                     | BAD_REPLY
      $-1\\r\\n                                             | BAD_REPLY
      :-5\\r\\n                                             | BAD_REPLY
      :9007199254740993\\r\\n                               | BAD_REPLY
      *2\\r\\n:1\\r\\n:2\\r\\n                              | BAD_REPLY
      ,1.5\\r\\n                                            | BAD_REPLY
      \\u0000\\u00ffnot RESP at all\\r\\n                   | BAD_REPLY
      :12345678901234567890123\\r\\n                        | UNAVAILABLE
      %%%garbage&&&\\r\\n                               | TIMEOUT
      *2\\r\\n:1\\r\\n:abc\\r\\n                             | UNAVAILABLE
      """)
  void errorsAndNonsenseFromRedisFallBackWithTheirCause(String raw, Reason reason) {
    String answer = unescape(raw);
    FakeRedis fake = toClose.add(FakeRedis.start(vertx, command ->
        isScript(command) ? answer : null));
    Gateway gateway = gateway(vertx, fake.endpoint(), GENEROUS_TIMEOUT_MS);
    ClusterLimit limit = new ClusterLimit("fake", new RateLimiter(1_000, 1_000, Ticker.system()));

    try (LogCapture log = LogCapture.of(StoreHealth.class.getName());
         LogCapture vertxLog = LogCapture.of("io.vertx");
         LogCapture unhandled = LogCapture.of(UnhandledFailures.class.getName())) {
      List<Decision> decisions = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        decisions.add(gateway.decide(limit, "k"));
      }
      decisions.addAll(gateway.decideAll(limit, "k", 3));
      assertThat(decisions).allSatisfy(decision -> {
        assertThat(decision.waitNanos).isZero();
        assertThat(decision.tookMs).isLessThanOrEqualTo(GENEROUS_TIMEOUT_MS + HEADROOM_MS);
      });
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
      // One warning for the outage, and no stack trace of Vert.x's own for what it could not parse.
      assertThat(vertxLog.events()).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
      assertThat(unhandled.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).isEmpty();
    }
    assertThat(gateway.health.fallbacks()).isEqualTo(6);
    assertThat(gateway.health.fallbacks(reason)).as("fallbacks for %s", reason).isPositive();
    RateStoreException first = gateway.health.lastFailure();
    if (reason == Reason.ERROR_REPLY) {
      assertThat(first.getCause()).isNotNull().hasMessageContaining(answer.substring(1, answer.indexOf(' ')));
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndIsDroppedForANewConnection() {
    FakeRedis silent = toClose.add(FakeRedis.start(vertx, command ->
        isScript(command) ? FakeRedis.SILENCE : null));
    Gateway gateway = gateway(vertx, silent.endpoint(), 25);
    ClusterLimit limit = new ClusterLimit("silent", new RateLimiter(1_000, 1_000, Ticker.system()));

    Await.until("a second connection", 20_000, () -> {
      assertThat(gateway.decide(limit, "k").tookMs).isLessThanOrEqualTo(25 + HEADROOM_MS);
      return silent.connections() >= 2;
    });
    assertThat(gateway.health.fallbacks(Reason.TIMEOUT)).isPositive();
  }

  @Test
  void nonsenseInTheHandshakeMeansNoConnectionAndLocalDecisions() {
    FakeRedis garbage = toClose.add(FakeRedis.start(vertx, command -> "?garbage\r\n"));
    Gateway gateway = gateway(vertx, garbage.endpoint(), 100);
    ClusterLimit limit = new ClusterLimit("handshake", new RateLimiter(1_000, 1_000, Ticker.system()));

    for (int i = 0; i < 5; i++) {
      Decision decision = gateway.decide(limit, "k");
      assertThat(decision.waitNanos).isZero();
      assertThat(decision.tookMs).isLessThanOrEqualTo(100 + HEADROOM_MS);
    }
    // A slow first attempt can time the first call out instead.
    assertThat(gateway.health.fallbacks()).isEqualTo(5);
    assertThat(gateway.health.fallbacks(Reason.UNAVAILABLE)).isPositive();
  }

  @Test
  void aClosedStoreDecidesLocally() {
    RedisServer redis = toClose.add(RedisServer.start());
    Gateway gateway = gateway(vertx, redis.endpoint(), GENEROUS_TIMEOUT_MS);
    ClusterLimit limit = new ClusterLimit("closed", new RateLimiter(1_000, 1_000, Ticker.system()));
    gateway.decide(limit, "k");
    gateway.onLoop(() -> {
      gateway.store.close();
      return Future.succeededFuture();
    });

    assertThat(gateway.decide(limit, "k").waitNanos).isZero();
    assertThat(gateway.health.fallbacks(Reason.UNAVAILABLE)).isPositive();
  }

  // ---------------------------------------------------------------------------------------------

  private Gateway gateway(Vertx on, String endpoint, long timeoutMs) {
    return gateway(on, endpoint, timeoutMs, RedisRateStore.DEFAULT_MAX_OUTSTANDING);
  }

  private Gateway gateway(Vertx on, String endpoint, long timeoutMs, int maxOutstanding) {
    StoreHealth health = new StoreHealth(endpoint, Ticker.system());
    RedisRateStore store = new RedisRateStore(on, endpoint, timeoutMs, maxOutstanding, health, Ticker.system(),
        Scheduler.of(on));
    Gateway gateway = new Gateway(on.getOrCreateContext(), store, health);
    toClose.add(() -> gateway.onLoop(() -> {
      store.close();
      return Future.succeededFuture();
    }));
    return gateway;
  }

  /** Whether a command is the store's (EVALSHA, EVAL, SCRIPT LOAD) rather than the handshake's. */
  private static boolean isScript(List<String> command) {
    String name = command.get(0).toUpperCase(java.util.Locale.ROOT);
    return name.startsWith("EVAL") || name.equals("SCRIPT");
  }

  private static String unescape(String raw) {
    return raw.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000").replace("\\u00ff", "\u00ff");
  }

  /** One decision: its wait and how long it took, measured on the event loop. */
  record Decision(long waitNanos, long tookMs, long fallbacksBefore, long fallbacksAfter) {
    boolean fromRedis(Gateway gateway) {
      return fallbacksAfter == fallbacksBefore;
    }
  }

  /** A store on one event loop of its own, as one gateway's verticle would have it. */
  record Gateway(Context context, RedisRateStore store, StoreHealth health) {

    Decision decide(ClusterLimit limit, String key) {
      return decideAll(limit, key, 1).get(0);
    }

    /** {@code n} decisions started at once on the loop. */
    List<Decision> decideAll(ClusterLimit limit, String key, int n) {
      return onLoop(() -> {
        List<Future<Decision>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          long before = health.fallbacks();
          long started = System.nanoTime();
          all.add(store.acquire(limit, key).map(wait -> new Decision(wait,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), before, health.fallbacks())));
        }
        return Future.all(all).map(c -> c.<Decision>list());
      });
    }

    <T> T onLoop(java.util.function.Supplier<Future<T>> action) {
      Promise<T> result = Promise.promise();
      context.runOnContext(v -> action.get().onComplete(result));
      return Await.result(result.future());
    }
  }
}
