package io.portcullis.testkit;

import io.portcullis.resilience.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A scheduler that records every requested delay and runs a task only when the test fires it,
 * optionally advancing a {@link FakeTicker} by the task's delay first.
 */
public final class FakeScheduler implements Scheduler {
  private final FakeTicker ticker;
  private final List<Long> delays = new ArrayList<>();
  private final List<Task> pending = new ArrayList<>();
  private int cancelled;

  /** A scheduler with no ticker of its own. */
  public FakeScheduler() {
    this(null);
  }

  /** A scheduler that moves {@code ticker} when it fires a task. */
  public FakeScheduler(FakeTicker ticker) {
    this.ticker = ticker;
  }

  @Override
  public Cancellable schedule(long delayMs, Runnable runnable) {
    delays.add(delayMs);
    Task task = new Task(delayMs, runnable);
    pending.add(task);
    return () -> {
      boolean removed = pending.remove(task);
      if (removed) {
        cancelled++;
      }
      return removed;
    };
  }

  /** Delays of every schedule() call, in order. */
  public List<Long> delays() {
    return delays;
  }

  /** Tasks scheduled and neither fired nor cancelled. */
  public int pendingCount() {
    return pending.size();
  }

  /** Tasks cancelled before they fired. */
  public int cancelledCount() {
    return cancelled;
  }

  /** Fires the oldest pending task (advancing the ticker by its delay, if any); false if none. */
  public boolean fireNext() {
    if (pending.isEmpty()) {
      return false;
    }
    Task task = pending.remove(0);
    if (ticker != null) {
      ticker.advanceMillis(task.delayMs);
    }
    task.runnable.run();
    return true;
  }

  /** Fires until nothing is pending; returns how many were fired. */
  public int fireAll() {
    int fired = 0;
    while (fireNext()) {
      fired++;
    }
    return fired;
  }

  /** The delay of the last schedule() call. */
  public Optional<Long> lastDelay() {
    return delays.isEmpty() ? Optional.empty() : Optional.of(delays.get(delays.size() - 1));
  }

  private static final class Task {
    final long delayMs;
    final Runnable runnable;

    Task(long delayMs, Runnable runnable) {
      this.delayMs = delayMs;
      this.runnable = runnable;
    }
  }
}
