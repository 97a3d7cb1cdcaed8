package io.portcullis.resilience;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A request's time budget and cancellation: the per-request context every stage reads.
 *
 * <p>The budget is measured on an injected {@link Ticker} from the moment the deadline is made.
 * Cancellation is one-shot: the first {@link #cancel(CancelReason)} records its reason and runs
 * every registered callback exactly once, in the order they were registered.
 *
 * <p>Confined to one thread, the request's event loop, like the request itself: everything that
 * registers, removes or cancels (the attempts, the retry operator, the deadline timer, the
 * client's close) runs there. So it holds plain fields and a linked list of registrations, and
 * registering, removing and cancelling cost a few field writes each ({@code docs/performance.md}).
 */
public final class Deadline {

  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final Consumer<Throwable> REPORT =
      error -> Unexpected.report("a Deadline cancel callback", error);

  private final long budgetMs;
  private final Ticker ticker;
  private final long deadlineNanos;
  private final Consumer<Throwable> callbackErrorHandler;
  private CancelReason cancelReason;
  /** Registered callbacks not yet run or removed, oldest first. */
  private CallbackRegistration first;
  private CallbackRegistration last;

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
    return new Deadline(budgetMs, ticker, REPORT);
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
   * {@link #remainingMillis()} from a reading of the clock taken now ({@link Ticker#fresh()}), never
   * one shared with the rest of the current event: what the deadline header sent with an attempt
   * says (README "How a request flows": the milliseconds left at the moment the attempt is sent).
   *
   * @return the remaining milliseconds
   */
  public long remainingMillisNow() {
    long remainingNanos = deadlineNanos - ticker.fresh();
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
    return cancelReason == CancelReason.DEADLINE_EXCEEDED || deadlineNanos - ticker.nanos() <= 0;
  }

  /**
   * Cancels: marks this deadline cancelled with {@code reason} and runs every registered callback
   * once, oldest first. Each callback's exception is caught and reported to the error handler,
   * never lost, and does not stop the other callbacks. A callback may register (it runs at once)
   * or remove others (they do not run). Idempotent.
   *
   * @param reason why the request is cancelled
   * @return {@code true} the first time, {@code false} if it was already cancelled
   */
  public boolean cancel(CancelReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (cancelReason != null) {
      return false;
    }
    cancelReason = reason;
    CallbackRegistration registration;
    while ((registration = first) != null) {
      registration.unlink();
      registration.run();
    }
    return true;
  }

  /**
   * Tells whether {@link #cancel(CancelReason)} was called.
   *
   * @return {@code true} once cancelled
   */
  public boolean isCancelled() {
    return cancelReason != null;
  }

  /**
   * Returns why this deadline was cancelled.
   *
   * @return the reason, or {@code null} if not cancelled
   */
  public CancelReason cancelReason() {
    return cancelReason;
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
    if (cancelReason != null) {
      registration.run();
      return registration;
    }
    registration.linked = true;
    registration.previous = last;
    if (last == null) {
      first = registration;
    } else {
      last.next = registration;
    }
    last = registration;
    return registration;
  }

  @Override
  public String toString() {
    return "Deadline[budgetMs=" + budgetMs + ", remainingMs=" + remainingMillis()
        + ", cancelReason=" + cancelReason + "]";
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

  /** A registered callback, a node of the deadline's list while it waits. */
  private final class CallbackRegistration implements Registration {
    private final Runnable callback;
    private CallbackRegistration previous;
    private CallbackRegistration next;
    private boolean linked;

    CallbackRegistration(Runnable callback) {
      this.callback = callback;
    }

    void run() {
      try {
        callback.run();
      } catch (RuntimeException | Error error) {
        reportCallbackError(error);
      }
    }

    void unlink() {
      if (!linked) {
        return;
      }
      linked = false;
      if (previous == null) {
        first = next;
      } else {
        previous.next = next;
      }
      if (next == null) {
        last = previous;
      } else {
        next.previous = previous;
      }
      previous = null;
      next = null;
    }

    @Override
    public void remove() {
      unlink();
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
