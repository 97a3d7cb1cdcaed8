package io.portcullis.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.observe.JvmMeters;
import io.portcullis.resilience.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM meters ({@link JvmMeters}), bound on a worker thread off the way to the first requests:
 * {@link #DELAY_MS} after the gateway is ready, or at once when {@code /metrics} is scraped
 * before that. A scrape waits for them ({@link #bound()}), so every scrape lists them, as README
 * "Metrics" says. Building them (the platform MXBeans) took tens of milliseconds of the one core
 * start-up has (docs/performance.md "Start-up, third pass").
 */
final class DeferredJvmMeters {

  private static final Logger LOG = LoggerFactory.getLogger(DeferredJvmMeters.class);
  /** Default: how long after the gateway is ready the meters are bound unless a scrape asks first. */
  static final long DELAY_MS = 1_000;

  private final Vertx vertx;
  private final MeterRegistry registry;
  private Future<Void> bound;
  private Scheduler.Cancellable timer;
  private boolean closed;

  DeferredJvmMeters(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  /** Binds the meters {@code delayMs} from now on {@code scheduler}, unless {@link #bound()} did first. */
  synchronized void bindAfter(Scheduler scheduler, long delayMs) {
    if (!closed && bound == null) {
      timer = scheduler.schedule(delayMs, this::bound);
    }
  }

  /**
   * Completes once the meters are bound, binding them now if they are not yet (a failure is logged
   * once, and the future then completes without them); after {@link #close()}, completes at once.
   */
  synchronized Future<?> bound() {
    if (closed) {
      return Future.succeededFuture();
    }
    if (bound == null) {
      bound = vertx.<Void>executeBlocking(() -> {
            JvmMeters.bind(registry);
            return null;
          }, false)
          .recover(err -> {
            LOG.error("the JVM meters could not be bound; /metrics goes on without them", err);
            return Future.succeededFuture();
          });
    }
    return bound;
  }

  /** Cancels a binding not started yet; once closed, nothing is bound. */
  synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
    }
  }
}
