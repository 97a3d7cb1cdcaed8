package io.portcullis.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Iterator;

/**
 * One JSON line per request on stdout (README "Logs"), through the {@code portcullis.access}
 * logger, whose appender ({@link AccessLogAppender}) is asynchronous so the event loop never
 * waits on stdout. While that appender alone takes the logger's lines (the built-in set-up), a
 * line is handed to it directly, without a Logback event ({@link #soleAppender}); with any other
 * appender or a configuration of the user's, lines go through Logback as any log line. Only the
 * fields below are logged: header values (and so {@code Authorization} and {@code Cookie}) never are.
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger(LogConfigurator.ACCESS_LOGGER);

  private final boolean enabled;
  private final Logger logger;
  /** {@link #logger} as Logback's, to look at its appenders; null when SLF4J is bound to another backend. */
  private final ch.qos.logback.classic.Logger logback;

  /** An access log; when {@code enabled} is false, {@link #log} does nothing at all. */
  public AccessLog(boolean enabled) {
    this(enabled, LOG);
  }

  /** An access log through {@code logger} (tests use their own). */
  AccessLog(boolean enabled, Logger logger) {
    this.logger = logger;
    this.logback = logger instanceof ch.qos.logback.classic.Logger l ? l : null;
    this.enabled = enabled && logger.isInfoEnabled();
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
   * @param traceIdHigh the upper 64 bits of the W3C trace id; with {@code traceIdLow} 0 as well
   *     when tracing is off (an all-zero trace id is not a valid one)
   * @param traceIdLow the lower 64 bits of the W3C trace id
   */
  public void log(String requestId, String method, String path, String route, int status, long durationMs,
                  String upstream, String endpoint, int attempts, String clientIp, long bytesIn, long bytesOut,
                  String error, long traceIdHigh, long traceIdLow) {
    if (!enabled) {
      return;
    }
    String line = AccessLogLine.format(Instant.now(), requestId, method, path, route, status, durationMs, upstream,
        endpoint, attempts, clientIp, bytesIn, bytesOut, error, traceIdHigh, traceIdLow);
    AccessLogAppender sole = soleAppender(logback);
    if (sole == null) {
      logger.info(line);
    } else if (logger.isInfoEnabled()) {
      sole.offer(line); // never waits: a full queue drops the line and counts it
    }
  }

  /**
   * The built-in appender ({@link LogConfigurator}) when it alone takes {@code logger}'s lines: it
   * is the logger's only appender and started, it has no filter, the logger is not additive and
   * the context has no turbo filter.
   * Then a line goes to it without a Logback event (an event object, its timestamp, the filter and
   * appender loops cost a share of the line's whole cost: {@code docs/performance.md}, "Access log
   * on against off"); else, with any other appender attached or a configuration of the user's, it
   * goes through Logback. Looked at per line, so an appender attached later is never bypassed.
   */
  static AccessLogAppender soleAppender(ch.qos.logback.classic.Logger logger) {
    if (logger == null || logger.isAdditive()) {
      return null;
    }
    Iterator<Appender<ILoggingEvent>> appenders = logger.iteratorForAppenders();
    if (!appenders.hasNext()) {
      return null;
    }
    Appender<ILoggingEvent> first = appenders.next();
    if (appenders.hasNext() || !(first instanceof AccessLogAppender sole) || !sole.isStarted() || sole.filtered()
        || !logger.getLoggerContext().getTurboFilterList().isEmpty()) {
      return null;
    }
    return sole;
  }
}
