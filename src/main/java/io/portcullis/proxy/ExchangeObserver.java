package io.portcullis.proxy;

/**
 * Told how a proxied request's upstream exchange went, for whoever holds a concurrency permit for
 * it (README "Overload: concurrency limits"): the permit's owner turns these facts into the
 * permit's completion when the request finishes. Called on the request's event loop.
 */
public interface ExchangeObserver {

  /** Observes nothing (no limit applies to the request). */
  ExchangeObserver NONE = new ExchangeObserver() {
    @Override
    public void headReceived(int status) {
    }

    @Override
    public void dropped() {
    }
  };

  /**
   * The upstream's response head arrived and is being forwarded (the last one, when a request
   * took several attempts).
   *
   * @param status its status code
   */
  void headReceived(int status);

  /** The upstream did not answer: a connection reset or a per-try timeout ended the last attempt. */
  void dropped();
}
