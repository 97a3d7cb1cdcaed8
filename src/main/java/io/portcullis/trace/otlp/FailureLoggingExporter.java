package io.portcullis.trace.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps the OTLP exporter so that an unreachable collector is reported once: one warning when
 * exports start failing, one line when they succeed again; the spans of failed batches are dropped.
 */
final class FailureLoggingExporter implements SpanExporter {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.events");

  private final SpanExporter delegate;
  private final String endpoint;
  private final AtomicBoolean failing = new AtomicBoolean();

  FailureLoggingExporter(SpanExporter delegate, String endpoint) {
    this.delegate = delegate;
    this.endpoint = endpoint;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      result = CompletableResultCode.ofExceptionalFailure(e);
    }
    CompletableResultCode outcome = result;
    outcome.whenComplete(() -> {
      if (outcome.isSuccess()) {
        if (failing.compareAndSet(true, false)) {
          LOG.info("tracing: span export to {} works again", endpoint);
        }
      } else if (failing.compareAndSet(false, true)) {
        LOG.warn("tracing: span export to {} failed ({}); spans are dropped until it succeeds again", endpoint,
            describe(outcome.getFailureThrowable()));
      }
    });
    return outcome;
  }

  /** What went wrong: the exporter's wrapped cause when there is one (such as a refused connection). */
  private static String describe(Throwable failure) {
    if (failure == null) {
      return "the collector refused the batch";
    }
    return (failure.getCause() != null ? failure.getCause() : failure).toString();
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
