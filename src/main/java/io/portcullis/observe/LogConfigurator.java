package io.portcullis.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging set-up, in code rather than XML (parsing {@code logback.xml} cost a noticeable
 * share of start-up): the access log as bare JSON lines on stdout through the
 * {@link AccessLogAppender} (batched writes; a full queue drops and counts lines rather than
 * wait), operational events one line each on stderr through an asynchronous appender; neither
 * ever blocks the event loop. A {@code -Dlogback.configurationFile=...} still wins.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  /** Logger of the access log. */
  public static final String ACCESS_LOGGER = "portcullis.access";
  /** Access-log lines that may wait for stdout before new ones are dropped (and counted). */
  static final int ACCESS_QUEUE_LINES = 16_384;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Logger access = context.getLogger(ACCESS_LOGGER);
    access.setAdditive(false);
    access.setLevel(Level.INFO);
    AccessLogAppender accessAppender = new AccessLogAppender(ACCESS_QUEUE_LINES);
    accessAppender.setContext(context);
    accessAppender.setName("ACCESS");
    accessAppender.start();
    access.addAppender(accessAppender);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(async(context, "EVENTS",
        console(context, "EVENTS_STDERR", "System.err"), 4096));
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Lines as the pattern {@value EventLineEncoder#PATTERN} writes them ({@link EventLineEncoder}). */
  private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String target) {
    EventLineEncoder encoder = new EventLineEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(name);
    appender.setTarget(target);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private static AsyncAppender async(LoggerContext context, String name, ConsoleAppender<ILoggingEvent> delegate, int queueSize) {
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName(name);
    async.setQueueSize(queueSize);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(delegate);
    async.start();
    return async;
  }
}
