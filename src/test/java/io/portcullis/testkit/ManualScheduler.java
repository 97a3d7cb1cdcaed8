package io.portcullis.testkit;

import io.portcullis.resilience.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Scheduler} whose tasks run only when the test fires them, for code that schedules its
 * next step when the current one ends: {@link #awaitNext} returns once the code under test has
 * scheduled something (an event: its step is over), and {@link Task#fireOn} runs it on the code's
 * event loop. Thread-safe; no task ever runs by itself.
 */
public final class ManualScheduler implements Scheduler {

  private final BlockingQueue<Task> scheduled = new LinkedBlockingQueue<>();

  /** A scheduled task. */
  public static final class Task {
    private final long delayMs;
    private final Runnable runnable;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    private Task(long delayMs, Runnable runnable) {
      this.delayMs = delayMs;
      this.runnable = runnable;
    }

    /** The delay it was scheduled with. */
    public long delayMs() {
      return delayMs;
    }

    /** Whether the code cancelled it. */
    public boolean cancelled() {
      return cancelled.get();
    }

    /** Runs it on {@code context} (unless cancelled) and waits until it has run. */
    public void fireOn(Context context) {
      Promise<Void> ran = Promise.promise();
      context.runOnContext(v -> {
        if (!cancelled.get()) {
          runnable.run();
        }
        ran.complete();
      });
      Await.result(ran.future());
    }
  }

  @Override
  public Cancellable schedule(long delayMs, Runnable task) {
    Task t = new Task(delayMs, task);
    scheduled.add(t);
    return () -> t.cancelled.compareAndSet(false, true);
  }

  /** The next task scheduled (waiting up to {@code timeoutMs} for it), in order. */
  public Task awaitNext(long timeoutMs) {
    try {
      Task task = scheduled.poll(timeoutMs, TimeUnit.MILLISECONDS);
      if (task == null) {
        throw new AssertionError("nothing scheduled within " + timeoutMs + " ms");
      }
      return task;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Tasks scheduled and not yet taken by {@link #awaitNext}. */
  public int waiting() {
    return scheduled.size();
  }
}
