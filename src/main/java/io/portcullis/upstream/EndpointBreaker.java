package io.portcullis.upstream;

import io.portcullis.config.BreakerConfig;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.impl.CircuitBreakerImpl;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The circuit breaker of one endpoint (README "How a request flows"): a vertx-circuit-breaker
 * {@link CircuitBreaker} seen through our own small interface, with its timing on the injected
 * clock. One instance is shared by every event loop, so failures from all verticle instances
 * count toward one threshold.
 *
 * <p>How the Vert.x breaker is driven. Its own failure counting happens on a later event-loop turn
 * ({@code execute} reports an outcome through {@code runOnContext}) on the wall clock, and its
 * reset timer is a Vert.x timer; so a client could see a failed attempt's answer, send its next
 * request to another event loop and reach the endpoint before the failure was counted, and no
 * test could drive its timing. Here, instead:
 * <ul>
 *   <li>failures are counted in a {@link FailureWindow} on the injected {@link Ticker},
 *       synchronously, in the first listener of the attempt's outcome, before anyone else sees
 *       the outcome: "{@code maxFailures} failures within {@code rollingWindowMs} open it" holds
 *       for any client that waits for its answers. Successes do not clear the window while
 *       closed (Vert.x would, turning the rule into "consecutive failures");</li>
 *   <li>at the threshold the Vert.x breaker is {@linkplain CircuitBreaker#open() opened}
 *       synchronously; its open period is {@code resetTimeoutMs} plus up to 10% jitter from the
 *       injected random source, so replicas do not probe in step. The Vert.x breaker has no reset
 *       timer of its own;</li>
 *   <li>half-open is read from the ticker when asked (the shape of Armeria's
 *       {@code NonBlockingCircuitBreaker}), and also announced by a timer on the injected
 *       {@link Scheduler} so the transition is logged on time; one trial runs at a time. A
 *       successful trial {@linkplain CircuitBreakerImpl#reset(boolean) closes} the Vert.x breaker,
 *       a failed one opens it again.</li>
 * </ul>
 * Open and close transitions reach the listener through the Vert.x breaker's handlers.
 */
public final class EndpointBreaker {

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

  private final String upstream;
  private final String endpoint;
  private final CircuitBreakerImpl breaker;
  private final long resetTimeoutMs;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final Listener listener;
  private final FailureWindow failures;
  private final AtomicBoolean trialInFlight = new AtomicBoolean();
  /** The state, written only under this object's lock; {@code HALF_OPEN} is set when first seen. */
  private volatile State state = State.CLOSED;
  private volatile long openedAtNanos;
  private volatile long openForMs;
  /** Counts openings, so a stale half-open timer does nothing. */
  private long openings;

  /**
   * A breaker for {@code endpoint} of {@code upstream}.
   *
   * @param ticker monotonic time: the failure window, when it half-opens, Retry-After
   * @param scheduler announces half-open on time
   * @param random source of the open-period jitter
   */
  public EndpointBreaker(Vertx vertx, String upstream, String endpoint, BreakerConfig config,
                         Ticker ticker, Scheduler scheduler, RandomGenerator random, Listener listener) {
    this.upstream = upstream;
    this.endpoint = endpoint;
    this.resetTimeoutMs = config.resetTimeoutMs();
    this.ticker = ticker;
    this.scheduler = scheduler;
    this.random = random;
    this.listener = listener;
    this.failures = new FailureWindow(config.maxFailures(), config.rollingWindowMs());
    CircuitBreakerOptions options = new CircuitBreakerOptions()
        .setMaxFailures(config.maxFailures())
        .setFailuresRollingWindow(config.rollingWindowMs())
        // No timer of its own: half-open is decided on the injected clock.
        .setResetTimeout(-1)
        .setTimeout(-1)
        .setMaxRetries(0)
        .setFallbackOnFailure(false);
    this.breaker = new CircuitBreakerImpl(upstream + "/" + endpoint, vertx, options);
    breaker.openHandler(v -> listener.onTransition(this, State.OPEN));
    breaker.closeHandler(v -> listener.onTransition(this, State.CLOSED));
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

  /** The current state; an open breaker whose period has passed is half-open from here on. */
  public State state() {
    State s = state;
    if (s == State.OPEN && periodOver()) {
      return halfOpen(-1);
    }
    return s;
  }

  private boolean periodOver() {
    return (ticker.nanos() - openedAtNanos) / 1_000_000L >= openForMs;
  }

  /** Moves an open breaker whose period is over to half-open ({@code opening} -1: any). */
  private synchronized State halfOpen(long opening) {
    if (state == State.OPEN && (opening < 0 || opening == openings) && periodOver()) {
      state = State.HALF_OPEN;
      trialInFlight.set(false);
      listener.onTransition(this, State.HALF_OPEN);
    }
    return state;
  }

  /** Failures counted in the current rolling window. */
  public synchronized long failureCount() {
    return failures.count(ticker.nanos());
  }

  /**
   * Whether the balancer may pick this endpoint now: closed, or half-open with no trial
   * running yet.
   */
  public boolean allowsTraffic() {
    State s = state();
    return s == State.CLOSED || (s == State.HALF_OPEN && !trialInFlight.get());
  }

  /** Milliseconds until this breaker half-opens; 0 when it is not open. */
  public long millisUntilHalfOpen() {
    if (state() != State.OPEN) {
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
   * (connect failure, reset, per-try timeout, failure status: true; cancellation: false); a
   * failure is counted before any other listener of the returned future runs. Fails with
   * {@link OpenCircuitException} without running the attempt when the breaker is open or a
   * half-open trial is already running.
   */
  public <T> Future<T> execute(Supplier<Future<T>> attempt, Predicate<AsyncResult<T>> isFailure) {
    State s = state();
    if (s == State.CLOSED) {
      // onComplete returns the same future: no extra future or dispatch on the hot path, and this
      // listener is its first, so the count is in before the outcome goes anywhere.
      return attempt.get().onComplete(ar -> {
        if (isFailure.test(ar)) {
          recordFailure();
        }
      });
    }
    if (s == State.OPEN || !trialInFlight.compareAndSet(false, true)) {
      return Future.failedFuture(OpenCircuitException.INSTANCE);
    }
    return attempt.get().onComplete(ar -> trialOver(!isFailure.test(ar)));
  }

  /** Counts one failure of an attempt that ran while closed (or ended after it opened). */
  public synchronized void recordFailure() {
    boolean full = failures.record(ticker.nanos());
    if (full && state == State.CLOSED) {
      open();
    }
  }

  private synchronized void trialOver(boolean succeeded) {
    if (state != State.HALF_OPEN) {
      return;
    }
    if (succeeded) {
      state = State.CLOSED;
      failures.clear();
      trialInFlight.set(false);
      breaker.reset(true);
    } else {
      open();
    }
  }

  /** Opens (again) for a fresh jittered period; called under the lock. */
  private void open() {
    long period = jitteredResetTimeoutMs();
    openForMs = period;
    openedAtNanos = ticker.nanos();
    state = State.OPEN;
    trialInFlight.set(false);
    long opening = ++openings;
    breaker.open();
    scheduler.schedule(period, () -> halfOpen(opening));
  }
}
