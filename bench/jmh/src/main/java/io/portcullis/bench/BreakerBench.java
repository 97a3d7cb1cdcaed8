package io.portcullis.bench;

import io.portcullis.config.BalancerKind;
import io.portcullis.config.BreakerConfig;
import io.portcullis.config.Endpoint;
import io.portcullis.config.RetryConfig;
import io.portcullis.config.UpstreamConfig;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.portcullis.upstream.EndpointBreaker;
import io.portcullis.upstream.Upstream;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The breaker allow path on a 3-endpoint upstream whose breakers are all closed:
 * {@code Upstream.BreakerSet.pick} (balancer + each candidate's breaker state + health), for
 * both balancers (also from two threads at once), and {@link EndpointBreaker#execute} of an already-completed successful attempt
 * (what a closed breaker adds around every attempt).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BreakerBench {

  private static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  @Param({"round-robin", "least-requests"})
  public String balancer;

  private Vertx vertx;
  private Upstream.BreakerSet breakers;
  private EndpointBreaker first;
  private final Future<String> done = Future.succeededFuture("ok");
  private final Supplier<Future<String>> attempt = () -> done;
  private final Predicate<AsyncResult<String>> isFailure = AsyncResult::failed;
  private long triedMask = 0L;

  @Setup(Level.Trial)
  public void setup() {
    vertx = Vertx.vertx();
    UpstreamConfig config = new UpstreamConfig("bench",
        List.of(new Endpoint("http", "127.0.0.1", 9001), new Endpoint("http", "127.0.0.1", 9002),
            new Endpoint("http", "127.0.0.1", 9003)),
        "least-requests".equals(balancer) ? BalancerKind.LEAST_REQUESTS : BalancerKind.ROUND_ROBIN,
        UpstreamConfig.DEFAULT_CONNECT_TIMEOUT_MS, BreakerConfig.defaults(), RetryConfig.defaults(),
        Optional.empty());
    Upstream upstream = new Upstream(vertx, config, Ticker.system(), Scheduler.of(vertx), THREAD_LOCAL_RANDOM, (b, to) -> { });
    breakers = upstream.defaultBreakers();
    first = breakers.breaker(0);
    for (int i = 0; i < breakers.size(); i++) {
      if (breakers.breaker(i).state() != EndpointBreaker.State.CLOSED) {
        throw new IllegalStateException("breaker " + i + " not closed");
      }
    }
    if (breakers.pick(0L, -1) < 0) {
      throw new IllegalStateException("no endpoint picked");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public int pick() {
    return breakers.pick(triedMask, -1);
  }

  /**
   * Two threads picking from the same set at once, as two event loops do: the breakers are
   * shared process-wide, so this shows what sharing costs.
   */
  @Benchmark
  @Threads(2)
  public int pickTwoThreads() {
    return breakers.pick(triedMask, -1);
  }

  @Benchmark
  public Future<String> executeClosed() {
    return first.execute(attempt, isFailure);
  }
}
