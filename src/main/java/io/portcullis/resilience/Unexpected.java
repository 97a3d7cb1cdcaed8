package io.portcullis.resilience;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where this package reports exceptions thrown by callbacks it does not own
 * (listeners, cancel callbacks, caller hooks), so that none is lost and none breaks the operation
 * that called it.
 */
final class Unexpected {

  private static final Logger LOG = LoggerFactory.getLogger("io.portcullis.resilience");

  private Unexpected() {}

  /**
   * Logs {@code error} as thrown by {@code where}.
   *
   * @param where what threw, for the log line
   * @param error the exception
   */
  static void report(String where, Throwable error) {
    LOG.error("unexpected exception in {}", where, error);
  }
}
