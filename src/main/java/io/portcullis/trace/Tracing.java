package io.portcullis.trace;

import io.portcullis.config.TraceExporter;
import io.portcullis.config.TracingConfig;
import io.portcullis.trace.otlp.OtlpSpanSink;
import io.vertx.core.MultiMap;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The process-wide tracing policy: whether trace context is propagated, how new traces are
 * sampled, where ids come from and where finished spans go. Safe to share across event loops
 * when its random source is (the gateway gives it a thread-local one).
 */
public final class Tracing {

  /** Tracing off: {@link #start} returns {@code null} and nothing is added to any request. */
  public static final Tracing DISABLED = new Tracing(false, 0, () -> 0L, () -> 0L, SpanSink.NONE);

  private static final LongSupplier SYSTEM_EPOCH_NANOS = () -> {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  };

  private final boolean enabled;
  private final double sampleRatio;
  private final RandomGenerator random;
  private final LongSupplier epochNanos;
  private final SpanSink sink;

  private Tracing(boolean enabled, double sampleRatio, RandomGenerator random, LongSupplier epochNanos,
                  SpanSink sink) {
    this.enabled = enabled;
    this.sampleRatio = sampleRatio;
    this.random = random;
    this.epochNanos = epochNanos;
    this.sink = sink;
  }

  /**
   * Tracing per {@code config}. The OpenTelemetry exporter is created (and its classes loaded)
   * only when {@code config} asks for OTLP export.
   */
  public static Tracing create(TracingConfig config, RandomGenerator random) {
    if (!config.enabled()) {
      return DISABLED;
    }
    SpanSink sink = config.exporter() == TraceExporter.OTLP ? OtlpSpanSink.create(config) : SpanSink.NONE;
    return new Tracing(true, config.sampleRatio(), random, SYSTEM_EPOCH_NANOS, sink);
  }

  /** Tracing with every collaborator given (tests). */
  public static Tracing of(double sampleRatio, RandomGenerator random, LongSupplier epochNanos, SpanSink sink) {
    return new Tracing(true, sampleRatio, random, epochNanos, sink);
  }

  /** Whether trace context is propagated. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The trace of one incoming request with {@code headers}: a child of a valid
   * {@code traceparent} (its {@code tracestate} kept when well-formed), else the root of a new
   * trace whose sampled flag {@code sampleRatio} decides. {@code null} when tracing is off.
   */
  public RequestTrace start(MultiMap headers) {
    if (!enabled) {
      return null;
    }
    TraceParent parent = singleTraceParent(headers);
    long start = sink.recording() ? epochNanos.getAsLong() : 0;
    if (parent != null) {
      String state = headers.contains(TraceState.HEADER) ? TraceState.forwardable(headers.getAll(TraceState.HEADER))
          : null;
      return new RequestTrace(this, parent.traceIdHigh(), parent.traceIdLow(), parent.parentId(), newSpanId(),
          parent.sampled(), state, start);
    }
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    return new RequestTrace(this, high, low, 0, newSpanId(), sampleNewTrace(), null, start);
  }

  /** The one {@code traceparent} of {@code headers}; none when absent, repeated or invalid. */
  private static TraceParent singleTraceParent(MultiMap headers) {
    String value = headers.get(TraceParent.HEADER);
    if (value == null) {
      return null;
    }
    List<String> all = headers.getAll(TraceParent.HEADER);
    return all.size() == 1 ? TraceParent.parse(value) : null;
  }

  private boolean sampleNewTrace() {
    if (sampleRatio >= 1) {
      return true;
    }
    return sampleRatio > 0 && random.nextDouble() < sampleRatio;
  }

  long newSpanId() {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }

  long now() {
    return epochNanos.getAsLong();
  }

  SpanSink sink() {
    return sink;
  }

  /** Exports the spans still queued and stops the exporter, waiting at most {@code timeoutMs}. */
  public CompletableFuture<Void> shutdown(long timeoutMs) {
    return sink.shutdown(timeoutMs);
  }
}
