package io.portcullis.lifecycle;

import io.portcullis.edge.EdgeConnections;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.vertx.core.Vertx;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * What a gateway takes from outside its configuration file: its clock, random source, timers,
 * the request-header timeout and the process environment. {@link #defaults()} is production; tests replace a part (the test
 * kit's {@code TestGateway} fills it).
 *
 * @param ticker monotonic clock of deadlines, breakers, budgets, rate limits and request
 *     durations; default {@link Ticker#system()}
 * @param random random source of retry jitter, breaker open-period jitter, least-requests draws
 *     and trace ids; shared by every event loop, so it must be thread-safe; default
 *     {@link #THREAD_LOCAL_RANDOM}
 * @param scheduler the timers (of the gateway's Vert.x instance) for deadlines, retry backoff,
 *     breaker half-open and the shutdown drain; default {@link Scheduler#of(Vertx)}
 * @param requestHeaderTimeoutMs time a client gets to send a whole request head once it has
 *     started one (slowloris protection); 0 or less turns it off; default
 *     {@link EdgeConnections#DEFAULT_REQUEST_HEADER_TIMEOUT_MS} (10 s)
 * @param env the environment (a variable's value, or null when unset), read at start and at each
 *     reload: {@code ${NAME}} substitution in the file and tracing's OpenTelemetry variables;
 *     default {@link System#getenv(String)}
 */
public record GatewayOptions(Ticker ticker, RandomGenerator random, Function<Vertx, Scheduler> scheduler,
                             long requestHeaderTimeoutMs, Function<String, String> env) {

  /** A random source safe to share across event loops: each call uses the caller thread's generator. */
  public static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  /** Checks that nothing is missing. */
  public GatewayOptions {
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(env, "env");
  }

  /** The production options. */
  public static GatewayOptions defaults() {
    return new GatewayOptions(Ticker.system(), THREAD_LOCAL_RANDOM, Scheduler::of,
        EdgeConnections.DEFAULT_REQUEST_HEADER_TIMEOUT_MS, System::getenv);
  }

  /** These options with {@code ticker}. */
  public GatewayOptions withTicker(Ticker ticker) {
    return new GatewayOptions(ticker, random, scheduler, requestHeaderTimeoutMs, env);
  }

  /** These options with {@code random}. */
  public GatewayOptions withRandom(RandomGenerator random) {
    return new GatewayOptions(ticker, random, scheduler, requestHeaderTimeoutMs, env);
  }

  /** These options with the scheduler {@code scheduler} makes for the gateway's Vert.x instance. */
  public GatewayOptions withScheduler(Function<Vertx, Scheduler> scheduler) {
    return new GatewayOptions(ticker, random, scheduler, requestHeaderTimeoutMs, env);
  }

  /** These options with a request-header timeout of {@code ms} (0 or less: off). */
  public GatewayOptions withRequestHeaderTimeoutMs(long ms) {
    return new GatewayOptions(ticker, random, scheduler, ms, env);
  }

  /** These options with {@code env} as the process environment. */
  public GatewayOptions withEnv(Function<String, String> env) {
    return new GatewayOptions(ticker, random, scheduler, requestHeaderTimeoutMs, env);
  }
}
