package io.portcullis.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.HttpServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds a connection's flushes until its event loop has handled every I/O event of the current
 * pass, then flushes it together with every other connection of that loop that has bytes waiting:
 * one task per pass, run by the loop right after the pass (Netty runs its task queue after each
 * I/O pass).
 *
 * <p>Why: a proxy's writes are made while it handles another connection's read (a client's
 * request is written to an upstream connection, an upstream's response to the client's). Flushed
 * at once, each write is a system call that, between two of them, leaves the peer (a load
 * balancer, a client, the upstream) time to handle it and go back to sleep, so nearly every write
 * also wakes its reader: a scheduler wake-up, and in a VM an interrupt. Flushed together at the
 * end of the pass, the writes of one pass follow each other within microseconds, and a reader
 * woken by the first finds the others' bytes when it runs. Same system calls, fewer wake-ups
 * (docs/performance.md, "Batched flushes"). A write waits at most for the rest of its pass: the
 * other events the loop had ready when it woke.
 *
 * <p>Nothing waits longer than that: a connection whose outbound buffer passes its high-water mark
 * (it turns unwritable) is flushed at once, so back-pressure sees the bytes leave as before; a
 * close flushes first (a TCP connection's disconnect is a close); so does taking the handler out of the
 * pipeline. If the loop refuses the task (it is shutting down), the flush is made at once.
 *
 * <p>One instance per connection, first in its pipeline (nearest the socket, so the bytes it holds
 * are the ones TLS has already encrypted); confined to the connection's event loop. The batch of
 * a loop is kept in a {@link FastThreadLocal} of its thread.
 */
public final class LoopFlushes extends ChannelDuplexHandler {

  /** The handler's name in a pipeline. */
  public static final String NAME = "loopFlushes";

  private static final Logger LOG = LoggerFactory.getLogger(LoopFlushes.class);
  private static final FastThreadLocal<Batch> BATCHES = new FastThreadLocal<>();

  /** The executor of this handler's own batch (tests), or null: the loop's shared batch. */
  private final Executor tasks;
  private ChannelHandlerContext ctx;
  private Batch batch;
  /** A flush was asked for and not made yet (this handler is in its loop's batch). */
  private boolean pending;

  /** A handler sharing its event loop's batch. */
  public LoopFlushes() {
    this(null);
  }

  /** A handler whose flushes are made by a task run by {@code tasks} (tests: a refusing executor). */
  LoopFlushes(Executor tasks) {
    this.tasks = tasks;
  }

  /**
   * Puts a {@code LoopFlushes} first in {@code connection}'s pipeline: an HTTP connection of a
   * Vert.x server or client. Any other connection, or one that has it already, is left alone.
   */
  public static void install(HttpConnection connection) {
    ChannelHandlerContext context = connection instanceof HttpServerConnection server ? server.channelHandlerContext()
        : connection instanceof HttpClientConnectionInternal client ? client.channelHandlerContext() : null;
    if (context != null) {
      install(context.pipeline());
    }
  }

  /** Puts a {@code LoopFlushes} first in {@code pipeline} unless it has one. */
  public static void install(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new LoopFlushes());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (tasks != null) {
      this.batch = new Batch(tasks);
      return;
    }
    EventExecutor executor = ctx.executor();
    Batch loopBatch = BATCHES.get();
    if (loopBatch == null || loopBatch.executor != executor) {
      loopBatch = new Batch(executor);
      BATCHES.set(loopBatch);
    }
    this.batch = loopBatch;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    flushNow();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!pending) {
      pending = true;
      batch.add(this);
    }
  }

  /** Makes the held flush, if any. */
  void flushNow() {
    if (pending) {
      pending = false;
      ctx.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      flushNow();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flushNow();
    ctx.close(promise);
  }

  /** The connections of one event loop with a flush held, and the one task that makes them. */
  private static final class Batch implements Runnable {
    private final Executor executor;
    private final ArrayList<LoopFlushes> waiting = new ArrayList<>();
    private boolean scheduled;

    Batch(Executor executor) {
      this.executor = executor;
    }

    void add(LoopFlushes flushes) {
      waiting.add(flushes);
      if (scheduled) {
        return;
      }
      scheduled = true;
      try {
        executor.execute(this);
      } catch (RejectedExecutionException e) {
        // The loop is shutting down and runs no more tasks: nothing may wait for one.
        LOG.debug("event loop refused the flush task ({}); flushing at once", e.toString());
        run();
      }
    }

    /**
     * Flushes every connection waiting, including those a flush adds meanwhile. One connection's
     * failure does not keep the others waiting (each is out of the batch before its flush).
     */
    @Override
    public void run() {
      for (int i = 0; i < waiting.size(); i++) {
        LoopFlushes flushes = waiting.get(i);
        try {
          flushes.flushNow();
        } catch (RuntimeException e) {
          LOG.warn("flushing {} failed", flushes.ctx.channel(), e);
        }
      }
      waiting.clear();
      scheduled = false;
    }
  }
}
