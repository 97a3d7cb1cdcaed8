package io.portcullis.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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

  /**
   * Makes a client exchange from an event-loop context of {@code vertx} and waits for its result.
   * Chained from the test's own thread instead, the response's future can reach {@code body()}
   * through a task queued behind the response's own bytes, after all of them were delivered, and
   * the body never completes. From the context, each step runs as the bytes arrive.
   */
  public static <T> T onContext(Vertx vertx, Supplier<Future<T>> exchange) {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        exchange.get().onComplete(result);
      } catch (RuntimeException | AssertionError e) {
        result.fail(e);
      }
    });
    return result(result.future());
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
