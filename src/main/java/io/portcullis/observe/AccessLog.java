package io.portcullis.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * One JSON line per request on stdout (README "Logs"), through the {@code portcullis.access}
 * logger, whose appender ({@link AccessLogAppender}) is asynchronous so the event loop never
 * waits on stdout. Only the fields below are logged: header values (and so {@code Authorization}
 * and {@code Cookie}) never are.
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.access");

  private final boolean enabled;

  /** An access log; when {@code enabled} is false, {@link #log} does nothing at all. */
  public AccessLog(boolean enabled) {
    this.enabled = enabled && LOG.isInfoEnabled();
  }

  /** Whether lines are written. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Logs one finished request (the fields of README "Logs").
   *
   * @param endpoint {@code host:port} of the endpoint whose answer was forwarded; null for an
   *     aggregate and for an answer the gateway made
   * @param clientIp the client address (README "The client's address"); null without an IP peer
   * @param bytesIn request body bytes read from the client
   * @param bytesOut response body bytes written to the client
   * @param error the gateway's error code when it made the answer, else null
   * @param traceId the W3C trace id, null when tracing is off
   */
  public void log(String requestId, String method, String path, String route, int status, long durationMs,
                  String upstream, String endpoint, int attempts, String clientIp, long bytesIn, long bytesOut,
                  String error, String traceId) {
    if (!enabled) {
      return;
    }
    LOG.info(AccessLogLine.format(Instant.now(), requestId, method, path, route, status, durationMs, upstream,
        endpoint, attempts, clientIp, bytesIn, bytesOut, error, traceId));
  }
}
