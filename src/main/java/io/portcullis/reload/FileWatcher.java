package io.portcullis.reload;

import io.portcullis.config.ReloadConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * Polls the configuration file every {@code reload.pollMs} while {@code reload.watch} is on, and
 * reloads it when its content changed; the same poll checks the other files the gateway reads (the
 * listener's certificate and key). The content is read through the path, so a Kubernetes
 * ConfigMap or Secret mount ({@code gateway.json -> ..data/gateway.json}, {@code ..data} swapped
 * atomically) is seen; modification times are not trusted. The settings are read before each poll,
 * so a reload that changes them takes effect at the next one. Polls never overlap.
 */
public final class FileWatcher {

  /** One check made at each poll: completes when done (a failure is logged, and polling goes on). */
  public interface Poll {

    /** Checks once. */
    Future<?> run();
  }

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.reload");
  /** Trigger name of a reload caused by a change of the file. */
  public static final String TRIGGER = "file change";

  private final Vertx vertx;
  private final List<Poll> polls;
  private final Supplier<ReloadConfig> settings;
  private long timer = -1;
  private volatile boolean stopped;

  /** A watcher asking {@code reloader} to reload; {@code settings} gives the current {@code reload} section. */
  public FileWatcher(Vertx vertx, ConfigReloader reloader, Supplier<ReloadConfig> settings) {
    this(vertx, settings, List.of(() -> reloader.reloadIfChanged(TRIGGER)));
  }

  /** A watcher running {@code polls}, in order, at each poll; {@code settings} gives the current {@code reload} section. */
  public FileWatcher(Vertx vertx, Supplier<ReloadConfig> settings, List<Poll> polls) {
    this.vertx = vertx;
    this.settings = settings;
    this.polls = List.copyOf(polls);
  }

  /** Starts polling. */
  public synchronized void start() {
    stopped = false;
    schedule();
  }

  /** Stops polling (a poll in progress completes). */
  public synchronized void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private synchronized void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, settings.get().pollMs()), id -> poll());
    }
  }

  private void poll() {
    synchronized (this) {
      timer = -1;
      if (stopped) {
        return;
      }
    }
    if (!settings.get().watch()) {
      schedule();
      return;
    }
    runFrom(0);
  }

  private void runFrom(int index) {
    if (index >= polls.size() || stopped) {
      schedule();
      return;
    }
    Future<?> done;
    try {
      done = polls.get(index).run();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> {
      if (ar.failed() && !stopped) {
        LOG.error("file poll failed", ar.cause());
      }
      runFrom(index + 1);
    });
  }
}
