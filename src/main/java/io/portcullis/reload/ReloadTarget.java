package io.portcullis.reload;

import io.portcullis.config.GatewayConfig;
import io.vertx.core.Future;

/** The running gateway, as a reload sees it: its configuration, and how a new one is put in place. */
public interface ReloadTarget {

  /** The configuration running now. */
  GatewayConfig current();

  /**
   * Prepares everything {@code effective} needs (compiled routes, upstreams) without making it
   * visible; called on a worker thread, never on an event loop.
   */
  Installation prepare(GatewayConfig effective);

  /** A prepared configuration. */
  interface Installation {

    /**
     * Makes it the running configuration in one step (requests that started before keep theirs)
     * and completes once every event loop has adopted it.
     */
    Future<Void> install();
  }
}
