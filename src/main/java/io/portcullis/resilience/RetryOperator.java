package io.portcullis.resilience;

import io.vertx.core.Future;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The project's own jittered exponential backoff retry operator (README "How a request flows").
 *
 * <p>One operator is built per route and upstream and holds only static parts: the {@link
 * RetryPolicy}, the shared {@link RetryBudget}, the timers, the random source and the listener.
 * Per-request state (attempt count, last result, sleep timer) lives in the execution started by
 * {@link #execute}. The decision after each attempt is the pure function {@link #decide}; the
 * budget, timers and listener calls happen in {@code execute} only.
 */
public final class RetryOperator {

  private final RetryPolicy policy;
  private final RetryBudget budget;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final RetryListener listener;
  private final HedgePolicy hedge;

  /**
   * Makes an operator that does not hedge.
   *
   * @param policy the static policy
   * @param budget the process-wide retry budget of the upstream
   * @param scheduler the timers for the backoff sleeps
   * @param random the random source for jitter; must be safe for the threads that share this
   *     operator (e.g. {@link java.util.concurrent.ThreadLocalRandom#current()} is not, a
   *     per-event-loop operator or a thread-safe generator is)
   * @param listener receives attempts, retries and give-ups
   */
  public RetryOperator(RetryPolicy policy, RetryBudget budget, Scheduler scheduler,
      RandomGenerator random, RetryListener listener) {
    this(policy, budget, scheduler, random, listener, null);
  }

  /**
   * Makes an operator that hedges per {@code hedge} (README "Hedged requests") the requests its
   * policy may replay.
   *
   * @param policy the static policy
   * @param budget the process-wide retry budget of the upstream, spent by retries and hedges
   * @param scheduler the timers for the backoff sleeps and hedges; for a hedging operator they must
   *     run their tasks on the event loop that schedules them ({@link Scheduler#of} does)
   * @param random the random source for jitter (see the other constructor)
   * @param listener receives attempts, retries, hedges and give-ups
   * @param hedge the hedging policy, or {@code null} for none
   */
  public RetryOperator(RetryPolicy policy, RetryBudget budget, Scheduler scheduler,
      RandomGenerator random, RetryListener listener, HedgePolicy hedge) {
    this.hedge = hedge;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Returns the static policy of this operator.
   *
   * @return the policy
   */
  public RetryPolicy policy() {
    return policy;
  }

  /**
   * Returns the hedging policy of this operator.
   *
   * @return the policy, or {@code null} when it does not hedge
   */
  public HedgePolicy hedge() {
    return hedge;
  }

  /**
   * Tells whether requests with {@code traits} are hedged: the operator has a hedging policy, the
   * retry policy treats the request as idempotent (its method is in {@code idempotentMethods}, or
   * it carries an {@code Idempotency-Key}) and its body, if any, can be replayed.
   *
   * @param traits the request's facts
   * @return {@code true} if {@link #execute} may run attempts side by side
   */
  public boolean hedges(RequestTraits traits) {
    return hedge != null && traits.bodyReplayable()
        && (traits.hasIdempotencyKey() || policy.idempotentMethods().contains(traits.method()));
  }

  /**
   * Decides what to do after an attempt. Pure but for the random draw of the jitter; does not
   * touch the budget ({@link #execute} asks it only when everything else says retry). In order:
   *
   * <ol>
   *   <li>a response whose status is not retried: {@link GiveUpReason#SUCCESS};
   *   <li>an outcome not covered by {@code retryOn}: {@link GiveUpReason#NOT_RETRYABLE};
   *   <li>{@code attemptsMade >= maxAttempts}: {@link GiveUpReason#MAX_ATTEMPTS};
   *   <li>a method outside {@code idempotentMethods}, without {@code Idempotency-Key}, after an
   *       outcome other than a connect failure: {@link GiveUpReason#NOT_IDEMPOTENT};
   *   <li>a body that cannot be replayed: {@link GiveUpReason#BODY_NOT_REPLAYABLE};
   *   <li>a delay ({@link Backoff}; an upstream's {@code Retry-After} does not change it) that
   *       reaches {@code remainingMs}: {@link GiveUpReason#DEADLINE};
   *   <li>otherwise {@link RetryDecision.Retry} with that delay.
   * </ol>
   *
   * @param attemptsMade attempts made so far, {@code >= 1}
   * @param last the outcome of the last attempt
   * @param traits the request's facts
   * @param remainingMs milliseconds left before the deadline
   * @param previousDelayMs the previous sleep, {@code baseDelayMs} before the first retry
   * @return the decision
   */
  public RetryDecision decide(int attemptsMade, Outcome last, RequestTraits traits,
      long remainingMs, long previousDelayMs) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade: " + attemptsMade + " (expected: >= 1)");
    }
    if (!policy.retriesOn(last)) {
      return stop(last.kind() == Outcome.Kind.RESPONSE
          ? GiveUpReason.SUCCESS : GiveUpReason.NOT_RETRYABLE);
    }
    if (attemptsMade >= policy.maxAttempts()) {
      return stop(GiveUpReason.MAX_ATTEMPTS);
    }
    if (!mayReplay(traits, last)) {
      return stop(GiveUpReason.NOT_IDEMPOTENT);
    }
    if (!traits.bodyReplayable()) {
      // Even after a connect failure the attempt consumed a body that was not buffered.
      return stop(GiveUpReason.BODY_NOT_REPLAYABLE);
    }
    long delayMs = Backoff.delayMs(policy.jitter(), attemptsMade, policy.baseDelayMs(),
        policy.maxDelayMs(), previousDelayMs, random);
    if (delayMs >= remainingMs) {
      // Never sleep past the deadline, nor start an attempt with no time left.
      return stop(GiveUpReason.DEADLINE);
    }
    return new RetryDecision.Retry(delayMs);
  }

  /**
   * Runs attempts until one is final, retrying per {@link #decide}, the budget, the deadline and
   * {@link Attempts#canAttempt()}. Attempt 1 starts at once; never two attempts are in flight,
   * unless the request is {@linkplain #hedges hedged} (then see {@link HedgedExecution}: hedged
   * attempts run side by side, the first final response head wins, the others are cancelled).
   * The returned future completes once, with the LAST attempt's result (its value or its failure
   * cause), whatever the reason to stop; the caller maps it to a status. A cancel of {@code
   * deadline} during a backoff sleep completes it at once with the last result. Counting the
   * request in the budget ({@link RetryBudget#recordRequest()}) is the caller's job.
   *
   * <p>Attempt 1 starts even if {@code deadline} is already cancelled (there is no result to
   * answer with before it); the caller's attempt is expected to fail fast on a cancelled
   * deadline, and the run then ends with {@link GiveUpReason#CANCELLED}. Exceptions thrown by
   * {@code attempts}' hooks or the listener are logged; one thrown by {@link
   * Attempts#attempt(int)} is a failed attempt, by {@link Attempts#classify} an {@link
   * Outcome#otherFailure()}, by {@link Attempts#canAttempt()} a {@code false}.
   *
   * @param deadline the request's deadline and cancellation
   * @param traits the request's facts
   * @param attempts how to make and judge one attempt
   * @param <T> the result of one attempt
   * @return the last attempt's result
   */
  public <T> Future<T> execute(Deadline deadline, RequestTraits traits, Attempts<T> attempts) {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(traits, "traits");
    Objects.requireNonNull(attempts, "attempts");
    if (hedge != null && hedges(traits)) {
      return new HedgedExecution<>(this, hedge, deadline, traits, attempts).start();
    }
    return new RetryExecution<>(this, deadline, traits, attempts).start();
  }

  RetryBudget budget() {
    return budget;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  RetryListener listener() {
    return listener;
  }

  private boolean mayReplay(RequestTraits traits, Outcome last) {
    // Methods are case-sensitive (RFC 9110 §9.1). A connect failure means no byte reached the
    // upstream, so any method may be sent again.
    return last.kind() == Outcome.Kind.CONNECT_FAILURE
        || traits.hasIdempotencyKey()
        || policy.idempotentMethods().contains(traits.method());
  }

  /** One stop decision per reason, made once: a decision is a plain value. */
  private static final RetryDecision.Stop[] STOPS = stops();

  private static RetryDecision.Stop[] stops() {
    GiveUpReason[] reasons = GiveUpReason.values();
    RetryDecision.Stop[] stops = new RetryDecision.Stop[reasons.length];
    for (GiveUpReason reason : reasons) {
      stops[reason.ordinal()] = new RetryDecision.Stop(reason);
    }
    return stops;
  }

  private static RetryDecision.Stop stop(GiveUpReason reason) {
    return STOPS[reason.ordinal()];
  }
}
