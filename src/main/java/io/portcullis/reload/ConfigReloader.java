package io.portcullis.reload;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.observe.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reloads the configuration file into a {@link ReloadTarget}. Reloads are serialized: one runs at
 * a time, the next starts when it has finished. The file is read and validated in full
 * ({@link ConfigLoader}, environment substitution included) on a worker thread; an unreadable or
 * invalid file leaves the running configuration as it is and every problem is logged, one line
 * each. A valid file is applied (listener settings excepted: each one that differs is logged as
 * needing a restart), an unchanged one is a no-op success. Each reload is counted in
 * {@code portcullis_config_reloads_total{result}} and logged in one line with its outcome.
 */
public final class ConfigReloader {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.reload");

  private final Vertx vertx;
  private final Path file;
  private final ReloadTarget target;
  private final GatewayMetrics metrics;
  private final Function<String, String> env;
  private Future<?> tail = Future.succeededFuture();
  private boolean closed;
  // Touched only inside a serialized task: what the file held when it was last read.
  private byte[] lastBytes;
  private String lastReadError;

  /**
   * A reloader of {@code file} into {@code target}.
   *
   * @param env the environment for {@code ${NAME}} substitution (the process's in production)
   */
  public ConfigReloader(Vertx vertx, Path file, ReloadTarget target, GatewayMetrics metrics,
                        Function<String, String> env) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.file = Objects.requireNonNull(file, "file");
    this.target = Objects.requireNonNull(target, "target");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.env = Objects.requireNonNull(env, "env");
  }

  /** The configuration file. */
  public Path file() {
    return file;
  }

  /**
   * Remembers the file's present content as the running one, so {@link #reloadIfChanged} reacts
   * only to later changes. Call once the gateway runs the configuration loaded from it. Content
   * that no longer describes the running configuration (the file changed during start-up) is not
   * remembered, so the first poll reloads it.
   */
  public Future<Void> prime() {
    return prime(null);
  }

  /**
   * As {@link #prime()}, given the bytes the running configuration was parsed from ({@code loaded},
   * null if unknown): when the file still holds exactly those bytes, they are remembered without
   * being parsed and compared again, which start-up need not wait for (docs/performance.md
   * "Start-up, third pass"); otherwise the content is checked as {@link #prime()} does.
   */
  public Future<Void> prime(byte[] loaded) {
    return serialized(() -> vertx.executeBlocking(() -> {
      lastBytes = null;
      lastReadError = null;
      try {
        byte[] bytes = Files.readAllBytes(file);
        if (loaded != null && Arrays.equals(bytes, loaded)) {
          lastBytes = bytes;
          return null;
        }
        ConfigChange change = ConfigChange.between(target.current(), ConfigFiles.parse(bytes, file, env));
        if (change.empty() && change.restartRequired().isEmpty()) {
          lastBytes = bytes;
        }
      } catch (IOException e) {
        lastReadError = readError(e);
      } catch (ConfigException e) {
        LOG.debug("config file {} changed during start-up and is invalid now; the first poll reports it", file);
      }
      return null;
    }, false));
  }

  /** Reloads the file whatever its content; {@code trigger} names the cause in logs and the outcome. */
  public Future<ReloadOutcome> reload(String trigger) {
    return serialized(() -> run(trigger, false));
  }

  /**
   * Reloads the file if its content differs from the last seen (or it became unreadable, or
   * readable again); completes with null when there was nothing to do.
   */
  public Future<ReloadOutcome> reloadIfChanged(String trigger) {
    return serialized(() -> run(trigger, true));
  }

  /** Refuses every later reload (shutdown has begun); one already running finishes. */
  public synchronized void close() {
    closed = true;
  }

  private synchronized <T> Future<T> serialized(java.util.function.Supplier<Future<T>> task) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the gateway is shutting down"));
    }
    Promise<T> done = Promise.promise();
    tail.onComplete(ignored -> {
      try {
        task.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    tail = done.future();
    return done.future();
  }

  /** What the worker found: nothing to do, a failure, or a change ready to install. */
  private record Prepared(ReloadOutcome outcome, ReloadTarget.Installation installation) {
  }

  private Future<ReloadOutcome> run(String trigger, boolean onlyIfChanged) {
    return vertx.executeBlocking(() -> prepare(trigger, onlyIfChanged), false)
        .recover(err -> {
          LOG.error("config reload ({}) failed unexpectedly while preparing", trigger, err);
          return Future.succeededFuture(new Prepared(ReloadOutcome.failed(trigger,
              List.of("$: cannot apply the configuration: " + err)), null));
        })
        .compose(prepared -> {
          if (prepared == null) {
            return Future.succeededFuture((ReloadOutcome) null);
          }
          if (prepared.installation() == null) {
            return Future.succeededFuture(prepared.outcome());
          }
          return prepared.installation().install()
              .map(v -> prepared.outcome())
              .recover(err -> {
                LOG.error("config reload ({}) failed while installing", trigger, err);
                return Future.succeededFuture(ReloadOutcome.failed(trigger,
                    List.of("$: cannot apply the configuration: " + err)));
              });
        })
        .onSuccess(outcome -> {
          if (outcome != null) {
            report(outcome);
          }
        });
  }

  /** Runs on a worker thread. Null when {@code onlyIfChanged} and the file is as last seen. */
  private Prepared prepare(String trigger, boolean onlyIfChanged) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      String error = readError(e);
      if (onlyIfChanged && error.equals(lastReadError)) {
        return null;
      }
      lastBytes = null;
      lastReadError = error;
      return new Prepared(ReloadOutcome.failed(trigger, List.of(error)), null);
    }
    if (onlyIfChanged && lastBytes != null && Arrays.equals(bytes, lastBytes)) {
      return null;
    }
    lastBytes = bytes;
    lastReadError = null;
    GatewayConfig loaded;
    try {
      loaded = ConfigFiles.parse(bytes, file, env);
    } catch (ConfigException e) {
      return new Prepared(ReloadOutcome.failed(trigger, e.errors()), null);
    }
    ConfigChange change = ConfigChange.between(target.current(), loaded);
    if (change.empty()) {
      return new Prepared(new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, trigger, change, List.of()), null);
    }
    return new Prepared(new ReloadOutcome(ReloadOutcome.Result.APPLIED, trigger, change, List.of()),
        target.prepare(change.effective()));
  }

  private String readError(IOException e) {
    return "$: cannot read config file " + file + ": " + ConfigFiles.readFailure(e);
  }

  private void report(ReloadOutcome outcome) {
    String trigger = outcome.trigger();
    metrics.configReload(outcome.succeeded());
    if (!outcome.succeeded()) {
      for (String error : outcome.errors()) {
        LOG.error("config reload ({}): {}", trigger, error);
      }
      LOG.error("config reload ({}) failed with {} error(s); the running configuration stays",
          trigger, outcome.errors().size());
      return;
    }
    for (String field : outcome.change().restartRequired()) {
      LOG.warn("config reload ({}): {} needs a restart; the running value stays", trigger, field);
    }
    if (outcome.result() == ReloadOutcome.Result.UNCHANGED) {
      LOG.info("config reload ({}) succeeded: configuration unchanged", trigger);
    } else {
      LOG.info("config reload ({}) applied: {}", trigger, outcome.change().summary());
    }
  }
}
