package io.portcullis.pipeline;

/**
 * Something a stage holds for the length of one request (a concurrency permit, a lease),
 * registered with {@link Exchange#hold} and released exactly once when the request finishes.
 */
@FunctionalInterface
public interface Releasable {

  /**
   * Gives it back. {@code exchange} tells how the request ended (its response status, whether
   * the client left). Must not throw; a throw is logged and the other holds are still released.
   */
  void release(Exchange exchange);
}
