package io.portcullis.health;

import java.util.concurrent.atomic.AtomicReference;

/** The gateway's lifecycle phase, shared by every verticle; readiness is derived from it. */
public final class Readiness {

  /** Lifecycle phases, in order. */
  public enum Phase { STARTING, SERVING, DRAINING, STOPPING }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);

  /** The current phase. */
  public Phase phase() {
    return phase.get();
  }

  /** True only while serving: DOWN before start-up completes and from the moment shutdown begins. */
  public boolean ready() {
    return phase.get() == Phase.SERVING;
  }

  /** True once shutdown has begun: responses then carry {@code Connection: close}. */
  public boolean shuttingDown() {
    Phase p = phase.get();
    return p == Phase.DRAINING || p == Phase.STOPPING;
  }

  /** Start-up completed. */
  public void serving() {
    phase.compareAndSet(Phase.STARTING, Phase.SERVING);
  }

  /** Moves to {@code next} if it is later than the current phase; returns whether it moved. */
  public boolean advance(Phase next) {
    while (true) {
      Phase current = phase.get();
      if (current.ordinal() >= next.ordinal()) {
        return false;
      }
      if (phase.compareAndSet(current, next)) {
        return true;
      }
    }
  }
}
