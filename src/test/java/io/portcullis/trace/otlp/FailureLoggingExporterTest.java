package io.portcullis.trace.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An unreachable collector is reported once per outage, not once per batch. */
class FailureLoggingExporterTest {

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger events = context.getLogger("portcullis.events");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  /** An exporter answering with the scripted results, in order. */
  private static class ScriptedExporter implements SpanExporter {
    final Deque<CompletableResultCode> results = new ArrayDeque<>();

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return results.pop();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @BeforeEach
  void capture() {
    lines.setContext(context);
    lines.start();
    events.addAppender(lines);
  }

  @AfterEach
  void release() {
    events.detachAppender(lines);
  }

  @Test
  void logsOneWarningPerOutageAndOneLineWhenItRecovers() {
    ScriptedExporter scripted = new ScriptedExporter();
    scripted.results.addAll(List.of(
        CompletableResultCode.ofExceptionalFailure(new IOException("Connection refused")),
        CompletableResultCode.ofFailure(),
        CompletableResultCode.ofExceptionalFailure(new IOException("Connection refused")),
        CompletableResultCode.ofSuccess(),
        CompletableResultCode.ofSuccess(),
        CompletableResultCode.ofFailure()));
    FailureLoggingExporter exporter = new FailureLoggingExporter(scripted, "http://collector:4318/v1/traces");

    for (int i = 0; i < 6; i++) {
      exporter.export(List.of());
    }

    assertThat(lines.list).extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.INFO, Level.WARN);
    assertThat(lines.list.get(0).getFormattedMessage())
        .contains("http://collector:4318/v1/traces", "Connection refused", "dropped");
    assertThat(lines.list.get(1).getFormattedMessage()).contains("works again");
  }

  @Test
  void anExporterThatThrowsIsAFailedBatch() {
    SpanExporter throwing = new ScriptedExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        throw new IllegalStateException("broken");
      }
    };

    CompletableResultCode result = new FailureLoggingExporter(throwing, "http://c/v1/traces").export(List.of());

    assertThat(result.isDone()).isTrue();
    assertThat(result.isSuccess()).isFalse();
    assertThat(lines.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("broken"));
  }
}
