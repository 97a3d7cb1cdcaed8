package io.portcullis.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM and SIGINT: the first starts the graceful shutdown, a second one ends the process at
 * once (status 1). SIGHUP asks for a configuration reload (see {@link #installHangup(Runnable)}). Signal handlers are used rather than a JVM shutdown hook because the JVM
 * ignores further signals while its hooks run, and exits 143 after SIGTERM where README "Signals and shutdown"
 * says 0.
 */
public final class Signals {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.lifecycle");

  /** Exit status when a second signal cuts the graceful shutdown short. */
  public static final int EXIT_INTERRUPTED = 1;

  private final CountDownLatch first = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private volatile String firstName = "";

  private Signals() {
  }

  /** Installs the handlers for TERM and INT. */
  public static Signals install() {
    Signals signals = new Signals();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signals::onSignal);
    }
    return signals;
  }

  /**
   * Runs {@code onHangup} on each SIGHUP from now on (it must not block: the JVM's signal thread
   * runs it), without touching TERM and INT. Installed before the gateway starts, so a SIGHUP that
   * arrives while it starts is not the JVM's default action (which ends the process). Where the
   * platform has no SIGHUP, that is logged; so is a process started with SIGHUP ignored (as
   * {@code nohup} starts it), where the JVM leaves it ignored and no SIGHUP ever reaches the
   * handler.
   */
  public static void installHangup(Runnable onHangup) {
    try {
      SignalHandler previous = Signal.handle(new Signal("HUP"), signal -> {
        try {
          onHangup.run();
        } catch (RuntimeException e) {
          LOG.error("SIGHUP handling failed", e);
        }
      });
      if (previous == SignalHandler.SIG_IGN) {
        LOG.warn("SIGHUP is ignored by this process (it was started with SIGHUP ignored, as nohup does): "
            + "it does not reload the configuration; reload with POST /admin/reload or reload.watch instead");
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("SIGHUP is not available here ({}): reload with POST /admin/reload instead", e.getMessage());
    }
  }

  private void onSignal(Signal signal) {
    if (received.incrementAndGet() == 1) {
      firstName = "SIG" + signal.getName();
      first.countDown();
    } else {
      Runtime.getRuntime().halt(EXIT_INTERRUPTED);
    }
  }

  /** Blocks until the first signal. */
  public void awaitFirst() {
    boolean done = false;
    while (!done) {
      try {
        first.await();
        done = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = true;
      }
    }
  }

  /** The first signal's name, e.g. {@code SIGTERM}. */
  public String firstName() {
    return firstName;
  }
}
