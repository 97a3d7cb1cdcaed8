package io.portcullis.trace.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.portcullis.trace.FinishedSpan;
import io.portcullis.trace.TraceParent;

import java.util.List;

/**
 * A finished gateway span seen as the SDK's ended span and its data, carrying the gateway's own
 * trace and span ids (the ones sent in {@code traceparent}) and the attributes of
 * {@link SpanAttributes}.
 */
@SuppressWarnings("deprecation") // InstrumentationLibraryInfo: still abstract in ReadableSpan and SpanData
final class ExportedSpan implements ReadableSpan, SpanData {

  private static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("io.portcullis");
  private static final InstrumentationLibraryInfo LIBRARY = InstrumentationLibraryInfo.create("io.portcullis", null);

  private final FinishedSpan span;
  private final Resource resource;
  private final SpanContext context;
  private final SpanContext parent;
  /** Built on the exporter thread, when the batch is sent: the event loop only queues the span. */
  private Attributes attributes;

  ExportedSpan(FinishedSpan span, Resource resource) {
    this.span = span;
    this.resource = resource;
    String traceId = TraceParent.traceIdHex(span.traceIdHigh(), span.traceIdLow());
    this.context = SpanContext.create(traceId, TraceParent.spanIdHex(span.spanId()), TraceFlags.getSampled(),
        TraceState.getDefault());
    this.parent = span.parentSpanId() == 0 ? SpanContext.getInvalid()
        : SpanContext.create(traceId, TraceParent.spanIdHex(span.parentSpanId()), TraceFlags.getSampled(),
            TraceState.getDefault());
  }

  @Override
  public String getName() {
    return span.name();
  }

  @Override
  public SpanKind getKind() {
    return span.kind() == FinishedSpan.Kind.SERVER ? SpanKind.SERVER : SpanKind.CLIENT;
  }

  @Override
  public SpanContext getSpanContext() {
    return context;
  }

  @Override
  public SpanContext getParentSpanContext() {
    return parent;
  }

  @Override
  public SpanData toSpanData() {
    return this;
  }

  @Override
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return LIBRARY;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return SCOPE;
  }

  @Override
  public boolean hasEnded() {
    return true;
  }

  @Override
  public long getLatencyNanos() {
    return span.endEpochNanos() - span.startEpochNanos();
  }

  @Override
  public <T> T getAttribute(AttributeKey<T> key) {
    return getAttributes().get(key);
  }

  @Override
  public synchronized Attributes getAttributes() {
    if (attributes == null) {
      attributes = SpanAttributes.of(span);
    }
    return attributes;
  }

  @Override
  public StatusData getStatus() {
    return span.error() ? StatusData.error() : StatusData.unset();
  }

  @Override
  public long getStartEpochNanos() {
    return span.startEpochNanos();
  }

  @Override
  public List<EventData> getEvents() {
    return List.of();
  }

  @Override
  public List<LinkData> getLinks() {
    return List.of();
  }

  @Override
  public long getEndEpochNanos() {
    return span.endEpochNanos();
  }

  @Override
  public int getTotalRecordedEvents() {
    return 0;
  }

  @Override
  public int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public int getTotalAttributeCount() {
    return getAttributes().size();
  }

  @Override
  public Resource getResource() {
    return resource;
  }
}
