package io.portcullis.testkit;

import io.vertx.core.Future;
import io.vertx.junit5.VertxTestContext;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Blocking waits for tests (never on an event loop). */
public final class Await {

  private Await() {
  }

  /** The future's result, failing the test after 20 s. */
  public static <T> T result(Future<T> future) {
    return result(future, 20_000);
  }

  /** The future's result, failing the test after {@code timeoutMs}. */
  public static <T> T result(Future<T> future, long timeoutMs) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("future did not complete within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The failure of a future expected to fail. */
  public static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not fail in time", e);
    }
    throw new AssertionError("future succeeded but was expected to fail");
  }

  /**
   * Waits for {@code context} to complete (every checkpoint flagged, or {@code completeNow}) and
   * fails the test with {@code what} if it does not within {@code timeoutMs}, or with the
   * context's own failure (an over-flagged strict checkpoint, a failed {@code verify}).
   */
  public static void completion(VertxTestContext context, long timeoutMs, String what) {
    boolean ended;
    try {
      ended = context.awaitCompletion(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (context.failed()) {
      throw new AssertionError(what + ": " + context.causeOfFailure(), context.causeOfFailure());
    }
    if (!ended) {
      throw new AssertionError("not within " + timeoutMs + " ms: " + what);
    }
  }

  /**
   * Polls {@code condition} every 10 ms — for state that has no event to wait on — and fails the
   * test with {@code what} if it is not true within {@code timeoutMs}.
   */
  public static void until(String what, long timeoutMs, BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within " + timeoutMs + " ms: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
