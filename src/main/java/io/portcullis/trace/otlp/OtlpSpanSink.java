package io.portcullis.trace.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.portcullis.trace.FinishedSpan;
import io.portcullis.trace.SpanSink;
import io.portcullis.trace.TracingSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * Exports finished spans by OTLP/HTTP (protobuf) to the endpoint of the {@link TracingSettings}. Spans go into
 * the SDK's {@link BatchSpanProcessor} queue (never blocking the caller; dropped when the queue
 * is full) and are sent from its own thread. A collector that cannot be reached costs dropped
 * spans and one warning until it answers again ({@link FailureLoggingExporter}).
 */
public final class OtlpSpanSink implements SpanSink {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.events");
  /** Spans kept waiting for export; more are dropped. */
  static final int MAX_QUEUE_SIZE = 8192;
  /** Longest wait between two batches. */
  static final Duration SCHEDULE_DELAY = Duration.ofMillis(1000);
  /** Longest wait for a connection to the collector. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Longest one export request may take. */
  static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The SDK exporter's own logger: it would print a line on every failed batch through
   * java.util.logging; {@link FailureLoggingExporter} reports outages once instead. Held here so
   * the level set on it is not lost with a collected logger.
   */
  private static final java.util.logging.Logger SDK_EXPORT_LOG =
      java.util.logging.Logger.getLogger("io.opentelemetry.exporter");

  private final BatchSpanProcessor processor;
  private final Resource resource;

  OtlpSpanSink(SpanExporter exporter, String serviceName, Duration scheduleDelay) {
    this.resource = Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), serviceName)));
    this.processor = BatchSpanProcessor.builder(exporter)
        .setMaxQueueSize(MAX_QUEUE_SIZE)
        .setScheduleDelay(scheduleDelay)
        .setExporterTimeout(EXPORT_TIMEOUT)
        .setMeterProvider(MeterProvider.noop())
        .build();
  }

  /**
   * A sink exporting to {@code settings.endpoint()}, with {@code settings.headers()} on every
   * request and {@code service.name} = {@code settings.serviceName()}.
   */
  public static OtlpSpanSink create(TracingSettings settings) {
    SDK_EXPORT_LOG.setLevel(Level.OFF);
    OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder()
        .setEndpoint(settings.endpoint())
        .setTimeout(EXPORT_TIMEOUT)
        .setConnectTimeout(CONNECT_TIMEOUT)
        // No retries: a failed batch is dropped, so a dead collector never holds spans (or shutdown) back.
        .setRetryPolicy(null)
        .setMeterProvider(MeterProvider::noop);
    settings.headers().forEach(builder::addHeader);
    SpanExporter otlp = builder.build();
    // Header names only: their values are credentials, usually.
    LOG.info("tracing: exporting spans by OTLP/HTTP to {} as service {}{}{}", settings.endpoint(),
        settings.serviceName(),
        settings.headers().isEmpty() ? "" : ", headers " + settings.headers().keySet(),
        settings.fromEnvironment().isEmpty() ? "" : " (from the environment: "
            + String.join(", ", settings.fromEnvironment()) + ")");
    return new OtlpSpanSink(new FailureLoggingExporter(otlp, settings.endpoint()), settings.serviceName(),
        SCHEDULE_DELAY);
  }

  @Override
  public boolean recording() {
    return true;
  }

  @Override
  public void accept(FinishedSpan span) {
    processor.onEnd(new ExportedSpan(span, resource));
  }

  @Override
  public CompletableFuture<Void> shutdown(long timeoutMs) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableResultCode result = processor.shutdown();
    result.whenComplete(() -> done.complete(null));
    return done.completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS).thenRun(() -> {
      if (!result.isDone()) {
        LOG.warn("tracing: spans still queued after {} ms at shutdown were dropped", timeoutMs);
      }
    });
  }
}
