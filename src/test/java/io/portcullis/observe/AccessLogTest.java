package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessLogTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger logger = context.getLogger("test.access." + NAMES.incrementAndGet());
  private final Sink sink = new Sink();
  private final AccessLogAppender builtIn = new AccessLogAppender(1024, () -> sink);

  /** A stdout that keeps what is written, thread-safely. */
  private static final class Sink extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  AccessLogTest() {
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    builtIn.setContext(context);
    builtIn.start();
    logger.addAppender(builtIn);
  }

  @AfterEach
  void detach() {
    logger.detachAndStopAllAppenders();
  }

  private static void logOne(AccessLog log, String requestId) {
    log.log(requestId, "GET", "/a", "r", 200, 1, "u", "127.0.0.1:1", 1, "::1", 0, 2, null, 0, 0);
  }

  @Test
  void theBuiltInAppenderAloneOnANonAdditiveLoggerTakesLinesDirectly() {
    assertThat(AccessLog.soleAppender(logger)).isSameAs(builtIn);
  }

  @Test
  void anotherAppenderAttachedLaterSendsLinesThroughLogbackToBoth() {
    ListAppender<ILoggingEvent> other = new ListAppender<>();
    other.setContext(context);
    other.start();
    AccessLog log = new AccessLog(true, logger); // made before the other appender is attached
    logger.addAppender(other);

    assertThat(AccessLog.soleAppender(logger)).isNull();
    logOne(log, "id-both");
    builtIn.stop(); // writes what is queued

    assertThat(other.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
        .contains("\"requestId\":\"id-both\"");
    assertThat(sink.text()).contains("\"requestId\":\"id-both\"").endsWith("}\n");
  }

  @Test
  void anAdditiveLoggerAFilterOrAStoppedAppenderSendLinesThroughLogback() {
    logger.setAdditive(true);
    assertThat(AccessLog.soleAppender(logger)).as("additive").isNull();
    logger.setAdditive(false);

    builtIn.stop();
    assertThat(AccessLog.soleAppender(logger)).as("stopped").isNull();
    builtIn.start();
    assertThat(AccessLog.soleAppender(logger)).as("started again").isSameAs(builtIn);

    builtIn.addFilter(new Filter<>() {
      @Override
      public FilterReply decide(ILoggingEvent event) {
        return FilterReply.DENY;
      }
    });
    assertThat(AccessLog.soleAppender(logger)).as("filtered").isNull();
    AccessLog log = new AccessLog(true, logger);
    logOne(log, "id-denied");
    builtIn.stop();
    assertThat(sink.text()).as("the filter applied through Logback").isEmpty();
  }

  @Test
  void linesHandedDirectlyReachStdoutInOrderOnePerLine() {
    AccessLog log = new AccessLog(true, logger);
    for (int i = 0; i < 100; i++) {
      logOne(log, "id-" + i);
    }
    builtIn.stop();

    List<String> lines = sink.text().lines().toList();
    assertThat(lines).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(lines.get(i)).startsWith("{\"ts\":\"").contains("\"requestId\":\"id-" + i + "\"");
    }
  }

  @Test
  void aDisabledLogOrALoggerAboveInfoWritesNothing() {
    logOne(new AccessLog(false, logger), "off");
    AccessLog madeAtInfo = new AccessLog(true, logger);
    logger.setLevel(Level.WARN);
    logOne(new AccessLog(true, logger), "warn");
    logOne(madeAtInfo, "raised-since");
    builtIn.stop();

    assertThat(sink.text()).isEmpty();
  }
}
