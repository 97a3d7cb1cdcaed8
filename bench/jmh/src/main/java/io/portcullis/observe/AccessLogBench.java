package io.portcullis.observe;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code AccessLog.log} of a typical proxied request, the whole line's way from the event loop to
 * the access log's writer (README "The access-log line"), into a writer whose stdout discards the
 * bytes. {@code path=direct}: the built-in appender alone on the logger, so the line is handed to
 * it without a Logback event; {@code path=logback}: the same with a second appender attached that
 * does nothing, so the line goes through Logback (an event, the filter and appender loops) as
 * every line did before. What it is for is {@code -prof gc}'s bytes per line (exact); its ns/op
 * counts lines the writer could not take in time as dropped, which costs less than a written one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AccessLogBench {

  @Param({"direct", "logback"})
  public String path;

  private Logger logger;
  private AccessLogAppender appender;
  private AccessLog log;
  private final String requestId = "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60";
  /** The trace id 0af7651916cd43dd8448eb211c80319c, in halves. */
  private final long traceIdHigh = 0x0af7651916cd43ddL;
  private final long traceIdLow = 0x8448eb211c80319cL;

  @Setup(org.openjdk.jmh.annotations.Level.Trial)
  public void setUp() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    logger = context.getLogger("bench.access." + path);
    logger.setAdditive(false);
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    appender = new AccessLogAppender(1 << 16, OutputStream::nullOutputStream);
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);
    if (path.equals("logback")) {
      AppenderBase<ILoggingEvent> nothing = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
        }
      };
      nothing.setContext(context);
      nothing.start();
      logger.addAppender(nothing);
    }
    log = new AccessLog(true, logger);
  }

  @TearDown(org.openjdk.jmh.annotations.Level.Trial)
  public void tearDown() {
    logger.detachAndStopAllAppenders();
  }

  @Benchmark
  public void typical() {
    log.log(requestId, "GET", "/api/v1/users/12345/orders", "users", 200, 3, "users", "127.0.0.1:9001", 1,
        "203.0.113.7", 0, 1_234, null, traceIdHigh, traceIdLow);
  }
}
