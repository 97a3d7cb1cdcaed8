package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event line is byte for byte what Logback's pattern layout writes for the same pattern. */
class EventLineEncoderTest {

  private LoggerContext context;
  private EventLineEncoder encoder;
  private PatternLayoutEncoder reference;

  @BeforeEach
  void setUp() {
    context = new LoggerContext();
    encoder = new EventLineEncoder();
    encoder.setContext(context);
    encoder.start();
    reference = new PatternLayoutEncoder();
    reference.setContext(context);
    reference.setPattern(EventLineEncoder.PATTERN);
    reference.start();
  }

  @Test
  void linesOfEveryLevelAndLoggerNameMatchThePatternLayout() {
    for (LoggingEvent event : List.of(
        event("portcullis.lifecycle", Level.INFO, "portcullis ready: listening on {}:{}", null, "127.0.0.1", 8080),
        event("io.portcullis.upstream.EndpointBreaker", Level.WARN, "breaker {} opened", null, "http://a:1"),
        event("portcullis.events", Level.ERROR, "plain message", null),
        event(Logger.ROOT_LOGGER_NAME, Level.DEBUG, "root logger", null),
        event("trailing.dot.", Level.TRACE, "a logger name ending in a dot", null),
        event("nodots", Level.INFO, "unicode: \u00e9\u4e2d, no args {}", null))) {
      assertThat(new String(encoder.encode(event), StandardCharsets.UTF_8))
          .isEqualTo(new String(reference.encode(event), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aStackTraceWithCausesFollowsTheLineAsThePatternLayoutWritesIt() {
    IllegalStateException failure = new IllegalStateException("outer",
        new java.io.IOException("inner", new RuntimeException("root cause")));
    failure.addSuppressed(new IllegalArgumentException("suppressed"));
    LoggingEvent event = event("portcullis.reload", Level.ERROR, "config reload ({}) failed", failure, "admin");

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).isEqualTo(new String(reference.encode(event), StandardCharsets.UTF_8));
    assertThat(line).contains("java.lang.IllegalStateException: outer", "Caused by: java.io.IOException: inner",
        "Suppressed: java.lang.IllegalArgumentException: suppressed");
  }

  private LoggingEvent event(String logger, Level level, String message, Throwable throwable, Object... args) {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message,
        throwable, args.length == 0 ? null : args);
    event.setTimeStamp(1_765_000_000_123L);
    return event;
  }
}
