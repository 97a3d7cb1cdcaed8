package io.portcullis.resilience;

import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One-shot timers, injectable so that tests can record delays and fire them by hand.
 *
 * <p>The production implementation ({@link #of(Vertx)}) uses Vert.x timers, which run the task on
 * the context of the caller of {@link #schedule}, so no task ever blocks or hops event loops.
 */
public interface Scheduler {

  /**
   * Schedules {@code task} to run once after {@code delayMs} milliseconds.
   *
   * @param delayMs the delay in milliseconds; zero or negative means "as soon as possible, but
   *     never inside this call"
   * @param task the task to run
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(long delayMs, Runnable task);

  /**
   * Returns a scheduler on the timers of {@code vertx} ({@link Vertx#setTimer} / {@link
   * Vertx#cancelTimer}). A non-positive delay is run through {@code runOnContext} of the calling
   * context, because Vert.x timers require a delay of at least 1 ms.
   *
   * @param vertx the Vert.x instance
   * @return the scheduler
   */
  static Scheduler of(Vertx vertx) {
    Objects.requireNonNull(vertx, "vertx");
    return (delayMs, task) -> {
      Objects.requireNonNull(task, "task");
      if (delayMs <= 0) {
        AtomicBoolean pending = new AtomicBoolean(true);
        vertx.getOrCreateContext().runOnContext(v -> {
          if (pending.compareAndSet(true, false)) {
            task.run();
          }
        });
        return () -> pending.compareAndSet(true, false);
      }
      long timerId = vertx.setTimer(delayMs, id -> task.run());
      return () -> vertx.cancelTimer(timerId);
    };
  }

  /** Handle of a scheduled task. */
  @FunctionalInterface
  interface Cancellable {

    /**
     * Cancels the task if it has not run yet.
     *
     * @return {@code true} if this call prevented the task from running
     */
    boolean cancel();
  }
}
