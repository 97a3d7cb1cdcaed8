package io.portcullis.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries SIGHUP reload requests to a gateway that may not be running yet: the relay is installed
 * as the SIGHUP handler before the gateway starts ({@link Signals#installHangup(Runnable)}), so a
 * SIGHUP that arrives while it starts (for instance just after its "ready" line, before the main
 * thread has its handle) is held and carried out once, when {@link #attach(Runnable)} gives it the
 * reload to run. Thread-safe: the JVM's signal thread and the main thread both call it.
 */
public final class HangupRelay implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.lifecycle");

  private Runnable target;
  private boolean pending;

  /** A SIGHUP: runs the reload now if attached, else holds one request until {@link #attach}. */
  @Override
  public void run() {
    Runnable now;
    synchronized (this) {
      now = target;
      if (now == null) {
        pending = true;
      }
    }
    if (now == null) {
      LOG.info("SIGHUP while starting: the configuration is reloaded once the gateway is ready");
    } else {
      now.run();
    }
  }

  /**
   * Gives the relay the reload to run on each SIGHUP from now on, and runs it once at once if a
   * SIGHUP came before (several are one reload, as a reload reads the file's latest content).
   */
  public void attach(Runnable reload) {
    boolean held;
    synchronized (this) {
      target = reload;
      held = pending;
      pending = false;
    }
    if (held) {
      reload.run();
    }
  }
}
