package io.portcullis.resilience;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A request's time budget and cancellation: the per-request context every stage reads.
 *
 * <p>The budget is measured on an injected {@link Ticker} from the moment the deadline is made.
 * Cancellation is one-shot: the first {@link #cancel(CancelReason)} records its reason and runs
 * every registered callback exactly once. Safe to use from several threads; nothing blocks.
 */
public final class Deadline {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final long budgetMs;
  private final Ticker ticker;
  private final long deadlineNanos;
  private final Consumer<Throwable> callbackErrorHandler;
  private final AtomicReference<CancelReason> cancelReason = new AtomicReference<>();
  private final Queue<CallbackRegistration> callbacks = new ConcurrentLinkedQueue<>();

  private Deadline(long budgetMs, Ticker ticker, Consumer<Throwable> callbackErrorHandler) {
    if (budgetMs < 0) {
      throw new IllegalArgumentException("budgetMs: " + budgetMs + " (expected: >= 0)");
    }
    this.budgetMs = budgetMs;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.callbackErrorHandler = Objects.requireNonNull(callbackErrorHandler, "callbackErrorHandler");
    long budgetNanos = budgetMs > Long.MAX_VALUE / NANOS_PER_MILLI
        ? Long.MAX_VALUE / 2 // practically "never"; keeps deadline arithmetic free of overflow
        : budgetMs * NANOS_PER_MILLI;
    this.deadlineNanos = ticker.nanos() + budgetNanos;
  }

  /**
   * Starts a deadline of {@code budgetMs} milliseconds from now. Exceptions thrown by cancel
   * callbacks are logged.
   *
   * @param budgetMs the budget in milliseconds, {@code >= 0}
   * @param ticker the time source
   * @return the new deadline
   */
  public static Deadline after(long budgetMs, Ticker ticker) {
    return new Deadline(budgetMs, ticker,
        error -> Unexpected.report("a Deadline cancel callback", error));
  }

  /**
   * Starts a deadline of {@code budgetMs} milliseconds from now, reporting every exception thrown
   * by a cancel callback to {@code callbackErrorHandler}.
   *
   * @param budgetMs the budget in milliseconds, {@code >= 0}
   * @param ticker the time source
   * @param callbackErrorHandler receives each exception thrown by a cancel callback
   * @return the new deadline
   */
  public static Deadline after(long budgetMs, Ticker ticker,
      Consumer<Throwable> callbackErrorHandler) {
    return new Deadline(budgetMs, ticker, callbackErrorHandler);
  }

  /**
   * Returns the whole budget this deadline was made with.
   *
   * @return the budget in milliseconds
   */
  public long budgetMs() {
    return budgetMs;
  }

  /**
   * Returns the time left: the floor of the remaining milliseconds, never negative, {@code 0}
   * once the deadline has passed.
   *
   * @return the remaining milliseconds
   */
  public long remainingMillis() {
    long remainingNanos = deadlineNanos - ticker.nanos();
    return remainingNanos <= 0 ? 0 : remainingNanos / NANOS_PER_MILLI;
  }

  /**
   * Tells whether the deadline has passed: the ticker reached the end of the budget, or the
   * deadline was cancelled with {@link CancelReason#DEADLINE_EXCEEDED} (a timer may fire a hair
   * before the ticker agrees).
   *
   * @return {@code true} once the deadline has passed
   */
  public boolean expired() {
    return deadlineNanos - ticker.nanos() <= 0
        || cancelReason.get() == CancelReason.DEADLINE_EXCEEDED;
  }

  /**
   * Cancels: marks this deadline cancelled with {@code reason} and runs every registered callback
   * once. Each callback's exception is caught and reported to the error handler, never lost, and
   * does not stop the other callbacks. Idempotent.
   *
   * @param reason why the request is cancelled
   * @return {@code true} the first time, {@code false} if it was already cancelled
   */
  public boolean cancel(CancelReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (!cancelReason.compareAndSet(null, reason)) {
      return false;
    }
    CallbackRegistration registration;
    while ((registration = callbacks.poll()) != null) {
      registration.runOnce();
    }
    return true;
  }

  /**
   * Tells whether {@link #cancel(CancelReason)} was called.
   *
   * @return {@code true} once cancelled
   */
  public boolean isCancelled() {
    return cancelReason.get() != null;
  }

  /**
   * Returns why this deadline was cancelled.
   *
   * @return the reason, or {@code null} if not cancelled
   */
  public CancelReason cancelReason() {
    return cancelReason.get();
  }

  /**
   * Registers a callback run once on cancel, or at once (in this call) if already cancelled.
   *
   * @param callback the callback
   * @return a handle that removes the callback; removing after it ran has no effect
   */
  public Registration onCancel(Runnable callback) {
    CallbackRegistration registration =
        new CallbackRegistration(Objects.requireNonNull(callback, "callback"));
    callbacks.add(registration);
    if (isCancelled()) {
      // cancel() may have drained the queue before we added to it: run it ourselves (runOnce
      // guarantees a single run if cancel() got to it too).
      callbacks.remove(registration);
      registration.runOnce();
    }
    return registration;
  }

  @Override
  public String toString() {
    return "Deadline[budgetMs=" + budgetMs + ", remainingMs=" + remainingMillis()
        + ", cancelReason=" + cancelReason.get() + "]";
  }

  /** Handle of a callback registered with {@link #onCancel(Runnable)}. */
  @FunctionalInterface
  public interface Registration {

    /** Removes the callback so that a later cancel does not run it. Idempotent. */
    void remove();
  }

  /** Why a request was cancelled. */
  public enum CancelReason {
    /** The request's budget ran out. */
    DEADLINE_EXCEEDED,
    /** The client disconnected. */
    CLIENT_GONE,
    /** The request completed; remaining work is no longer needed. */
    COMPLETED,
    /** The gateway aborted the request for another reason (e.g. a forced shutdown). */
    ABORTED
  }

  private final class CallbackRegistration implements Registration {
    private final Runnable callback;
    private final AtomicBoolean pending = new AtomicBoolean(true);

    CallbackRegistration(Runnable callback) {
      this.callback = callback;
    }

    void runOnce() {
      if (!pending.compareAndSet(true, false)) {
        return;
      }
      try {
        callback.run();
      } catch (RuntimeException | Error error) {
        reportCallbackError(error);
      }
    }

    @Override
    public void remove() {
      if (pending.compareAndSet(true, false)) {
        callbacks.remove(this);
      }
    }
  }

  private void reportCallbackError(Throwable error) {
    try {
      callbackErrorHandler.accept(error);
    } catch (RuntimeException handlerError) {
      handlerError.addSuppressed(error);
      Unexpected.report("a Deadline callback error handler", handlerError);
    }
  }
}
