package io.portcullis.lifecycle;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM and SIGINT: the first starts the graceful shutdown, a second one ends the process at
 * once (status 1). Signal handlers are used rather than a JVM shutdown hook because the JVM
 * ignores further signals while its hooks run, and exits 143 after SIGTERM where the contract
 * says 0.
 */
public final class Signals {

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
