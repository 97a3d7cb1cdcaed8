package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AccessLogAppenderTest {

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  private LoggingEvent line(String text) {
    return new LoggingEvent("test", context.getLogger("test.access"), Level.INFO, text, null, null);
  }

  /** A stdout that keeps what is written, thread-safely. */
  private static final class Sink extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch open;
    private final CountDownLatch entered = new CountDownLatch(1);
    private int writes;

    Sink(CountDownLatch open) {
      this.open = open;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      entered.countDown();
      try {
        open.await(); // a stuck stdout until the test opens it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (this) {
        bytes.write(b, off, len);
        writes++;
      }
    }

    synchronized List<String> lines() {
      String all = bytes.toString(StandardCharsets.UTF_8);
      return all.isEmpty() ? List.of() : Arrays.asList(all.split("\n", -1)).subList(0, all.split("\n", -1).length - 1);
    }

    synchronized byte[] bytes() {
      return bytes.toByteArray();
    }

    synchronized int writes() {
      return writes;
    }
  }

  @Test
  void everyLineReachesStdoutInOrderInFewerWritesThanLines() {
    Sink sink = new Sink(new CountDownLatch(0));
    AccessLogAppender appender = new AccessLogAppender(1024, () -> sink);
    appender.setContext(context);
    appender.start();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String text = "{\"n\":" + i + ",\"path\":\"/é\"}";
      expected.add(text);
      appender.doAppend(line(text));
    }
    appender.stop();

    assertThat(sink.lines()).containsExactlyElementsOf(expected);
    assertThat(sink.writes()).isLessThan(1000);
  }

  @Test
  void whenStdoutIsStuckLinesBeyondTheQueueAreDroppedCountedAndReportedWithoutWaiting() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    Sink sink = new Sink(open);
    AccessLogAppender appender = new AccessLogAppender(16, () -> sink);
    appender.setContext(context);
    long droppedBefore = AccessLogAppender.droppedLines();
    try (LogCapture events = LogCapture.of("portcullis.events")) {
      appender.start();
      appender.doAppend(line("line 0"));
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue(); // the writer is stuck writing it
      long start = System.nanoTime();
      for (int i = 1; i <= 100; i++) {
        appender.doAppend(line("line " + i));
      }
      long appendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long dropped = AccessLogAppender.droppedLines() - droppedBefore;
      open.countDown();
      appender.stop();

      assertThat(appendMillis).as("appending never waits for stdout").isLessThan(2_000);
      assertThat(dropped).isEqualTo(100 - 16);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i <= 16; i++) {
        expected.add("line " + i);
      }
      assertThat(sink.lines()).containsExactlyElementsOf(expected);
      Await.until("the drop is reported", 5_000, () -> events.events().stream().anyMatch(e -> e.getFormattedMessage()
          .startsWith("access log: 84 line(s) dropped")));
    }
  }

  @Test
  void linesOfAnyCharactersAndLengthAreWrittenAsTheirUtf8() {
    Sink sink = new Sink(new CountDownLatch(0));
    AccessLogAppender appender = new AccessLogAppender(1024, () -> sink);
    appender.setContext(context);
    appender.start();
    List<String> expected = List.of(
        "{\"path\":\"/plain\"}",
        "{\"path\":\"/caf\u00e9/\u00ff\"}",                 // Latin-1 beyond ASCII: two bytes each
        "{\"path\":\"/\u65e5\u672c\"}",                       // three bytes each
        "{\"path\":\"/\ud83d\ude00\"}",                       // a surrogate pair: four bytes
        "x".repeat(70_000),                                    // longer than the writer's buffer
        "y".repeat(40_000),                                    // fits only after a write
        "{\"path\":\"/" + "\u00e9".repeat(40_000) + "\"}",      // longer than the buffer once encoded
        "{\"path\":\"/last\"}");
    for (String text : expected) {
      appender.doAppend(line(text));
    }
    appender.stop();

    StringBuilder all = new StringBuilder();
    expected.forEach(text -> all.append(text).append('\n'));
    assertThat(sink.bytes()).isEqualTo(all.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void onlyAnAsciiLineThatFitsIsCopiedAsItsChars() {
    byte[] buffer = new byte[8];

    assertThat(AccessLogAppender.ascii("abc", buffer, 2)).isEqualTo(5);
    assertThat(new String(buffer, 2, 3, StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThat(AccessLogAppender.ascii("ab\u00e9", buffer, 0)).as("not ASCII").isEqualTo(-1);
    assertThat(AccessLogAppender.ascii("abcdefg", buffer, 1)).as("no room for the newline").isEqualTo(-1);
    assertThat(AccessLogAppender.ascii("abcdefg", buffer, 0)).isEqualTo(7);
  }
}
