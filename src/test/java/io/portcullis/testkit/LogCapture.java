package io.portcullis.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger writes while it is open ({@code try (LogCapture c = LogCapture.of(...))}),
 * detaching itself on close. Events may arrive from any thread (the access log's appender is
 * asynchronous): read them through {@link #events()}, a copy.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing the logger named {@code name} (e.g. {@code "portcullis.access"}). */
  public static LogCapture of(String name) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture(context.getLogger(name));
    capture.appender.setContext(context);
    capture.appender.start();
    capture.logger.addAppender(capture.appender);
    return capture;
  }

  /** The events captured so far (a copy, safe while more arrive). */
  public List<ILoggingEvent> events() {
    synchronized (appender) { // AppenderBase.doAppend holds this lock while it adds
      return List.copyOf(appender.list);
    }
  }

  /**
   * Waits up to {@code timeoutMs} for the JSON access-log line of {@code requestId}; null if none
   * came. (The access log is written asynchronously: there is no event to wait on.)
   */
  public JsonObject awaitJsonLine(String requestId, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    do {
      for (ILoggingEvent event : events()) {
        JsonObject json = new JsonObject(event.getFormattedMessage());
        if (requestId.equals(json.getString("requestId"))) {
          return json;
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return null;
  }

  /**
   * Waits up to {@code timeoutMs} for an event whose formatted message contains {@code text};
   * returns it, or null if none came. (Log events have no other signal to wait on.)
   */
  public ILoggingEvent awaitMessage(String text, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    do {
      for (ILoggingEvent event : events()) {
        if (event.getFormattedMessage().contains(text)) {
          return event;
        }
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    return null;
  }

  /** The formatted messages captured so far that contain {@code text}. */
  public List<String> messagesContaining(String text) {
    return events().stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
