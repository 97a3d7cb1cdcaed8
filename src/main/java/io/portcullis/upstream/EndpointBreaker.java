package io.portcullis.upstream;

import io.portcullis.config.BreakerConfig;
import io.portcullis.resilience.Ticker;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.impl.CircuitBreakerImpl;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The circuit breaker of one endpoint: a vertx-circuit-breaker {@link CircuitBreaker} seen
 * through our own small interface. One instance is shared by every event loop, so failures
 * from all verticle instances count toward one threshold (CONTRACT §5).
 *
 * <p>How the Vert.x breaker is driven: vert.x clears its rolling failure count on every
 * success, which would turn "{@code maxFailures} within {@code rollingWindowMs}" into
 * "consecutive failures". So while closed, attempts run directly and only failures are
 * reported to the breaker (it counts them in its rolling window and opens at the threshold);
 * while half-open, the attempt runs through the breaker, which lets exactly one trial pass and
 * closes or re-opens on its outcome. Each time it opens, the open period is
 * {@code resetTimeoutMs} plus up to 10% jitter from the injected random source, so replicas do
 * not probe in step.
 */
public final class EndpointBreaker {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointBreaker.class);

  /** Breaker state as seen by the rest of the gateway. */
  public enum State {
    CLOSED(0), OPEN(1), HALF_OPEN(2);

    private final int gaugeValue;

    State(int gaugeValue) {
      this.gaugeValue = gaugeValue;
    }

    /** The value of {@code portcullis_circuit_state}: 0 closed, 1 open, 2 half-open. */
    public int gaugeValue() {
      return gaugeValue;
    }
  }

  /** Receives state transitions (for logs and metrics). */
  public interface Listener {
    /** Called after every transition. */
    void onTransition(EndpointBreaker breaker, State to);
  }

  private static final RuntimeException REPORTED_FAILURE = new RuntimeException("attempt failed", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private final String upstream;
  private final String endpoint;
  private final CircuitBreaker breaker;
  private final CircuitBreakerOptions liveOptions;
  private final long resetTimeoutMs;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final AtomicBoolean trialInFlight = new AtomicBoolean();
  private volatile long openedAtNanos;
  private volatile long openForMs;

  /**
   * A breaker for {@code endpoint} of {@code upstream}.
   *
   * @param ticker monotonic time for "when does it half-open" (Retry-After)
   * @param random source of the open-period jitter
   */
  public EndpointBreaker(Vertx vertx, String upstream, String endpoint, BreakerConfig config,
                         Ticker ticker, RandomGenerator random, Listener listener) {
    this.upstream = upstream;
    this.endpoint = endpoint;
    this.resetTimeoutMs = config.resetTimeoutMs();
    this.ticker = ticker;
    this.random = random;
    CircuitBreakerOptions options = new CircuitBreakerOptions()
        .setMaxFailures(config.maxFailures())
        .setFailuresRollingWindow(config.rollingWindowMs())
        .setResetTimeout(config.resetTimeoutMs())
        .setTimeout(-1)
        .setMaxRetries(0)
        .setFallbackOnFailure(false);
    this.breaker = CircuitBreaker.create(upstream + "/" + endpoint, vertx, options);
    // The implementation copies the options; its copy is read each time the breaker opens,
    // after the open handler runs: that is where a fresh jittered period is set.
    this.liveOptions = breaker instanceof CircuitBreakerImpl impl ? impl.options() : null;
    if (liveOptions == null) {
      LOG.warn("circuit breaker {} does not expose its options: open periods are not jittered", breaker.name());
    }
    breaker.openHandler(v -> {
      long period = jitteredResetTimeoutMs();
      if (liveOptions != null) {
        liveOptions.setResetTimeout(period);
      }
      openForMs = liveOptions != null ? period : resetTimeoutMs;
      openedAtNanos = ticker.nanos();
      trialInFlight.set(false);
      listener.onTransition(this, State.OPEN);
    });
    breaker.halfOpenHandler(v -> listener.onTransition(this, State.HALF_OPEN));
    breaker.closeHandler(v -> {
      trialInFlight.set(false);
      listener.onTransition(this, State.CLOSED);
    });
  }

  /** {@code resetTimeoutMs} plus uniform jitter in [0, 10%]. */
  long jitteredResetTimeoutMs() {
    long maxJitter = resetTimeoutMs / 10;
    return resetTimeoutMs + (maxJitter > 0 ? random.nextLong(maxJitter + 1) : 0);
  }

  /** The upstream's name. */
  public String upstream() {
    return upstream;
  }

  /** The endpoint, as configured ({@code http://host:port}). */
  public String endpoint() {
    return endpoint;
  }

  /** The current state. */
  public State state() {
    CircuitBreakerState s = breaker.state();
    return switch (s) {
      case CLOSED -> State.CLOSED;
      case OPEN -> State.OPEN;
      case HALF_OPEN -> State.HALF_OPEN;
    };
  }

  /** Failures counted in the current rolling window. */
  public long failureCount() {
    return breaker.failureCount();
  }

  /**
   * Whether the balancer may pick this endpoint now: closed, or half-open with no trial
   * running yet.
   */
  public boolean allowsTraffic() {
    CircuitBreakerState s = breaker.state();
    return s == CircuitBreakerState.CLOSED || (s == CircuitBreakerState.HALF_OPEN && !trialInFlight.get());
  }

  /** Milliseconds until this breaker half-opens; 0 when it is not open. */
  public long millisUntilHalfOpen() {
    if (breaker.state() != CircuitBreakerState.OPEN) {
      return 0;
    }
    long elapsedMs = (ticker.nanos() - openedAtNanos) / 1_000_000L;
    return Math.max(0, openForMs - elapsedMs);
  }

  /** The open period chosen the last time it opened (ms), for tests and the admin view. */
  public long lastOpenPeriodMs() {
    return openForMs;
  }

  /**
   * Runs one attempt under the breaker. {@code isFailure} classifies the outcome
   * (connect failure, reset, per-try timeout, failure status: true; cancellation: false).
   * Fails with {@link OpenCircuitException} without running the attempt when the breaker is
   * open or a half-open trial is already running.
   */
  public <T> Future<T> execute(Supplier<Future<T>> attempt, Predicate<AsyncResult<T>> isFailure) {
    CircuitBreakerState s = breaker.state();
    if (s == CircuitBreakerState.CLOSED) {
      // onComplete returns the same future: no extra future or dispatch on the hot path.
      return attempt.get().onComplete(ar -> {
        if (isFailure.test(ar)) {
          reportFailure();
        }
      });
    }
    if (s == CircuitBreakerState.OPEN || !trialInFlight.compareAndSet(false, true)) {
      return Future.failedFuture(OpenCircuitException.INSTANCE);
    }
    // Half-open: the Vert.x breaker lets one trial through and closes or re-opens on it.
    Holder<T> holder = new Holder<>();
    return breaker.<Void>execute(() -> attempt.get().transform(ar -> {
      holder.result = ar;
      return isFailure.test(ar) ? Future.failedFuture(REPORTED_FAILURE) : Future.succeededFuture();
    })).transform(ignored -> {
      trialInFlight.set(false);
      if (holder.result == null) {
        return Future.failedFuture(OpenCircuitException.INSTANCE);
      }
      return holder.result.succeeded() ? Future.succeededFuture(holder.result.result())
          : Future.failedFuture(holder.result.cause());
    });
  }

  private void reportFailure() {
    breaker.execute(() -> Future.failedFuture(REPORTED_FAILURE)).onFailure(ignored -> { });
  }

  private static final class Holder<T> {
    AsyncResult<T> result;
  }
}
