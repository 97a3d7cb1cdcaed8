/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): strict parsing and formatting of
 * {@code traceparent} and {@code tracestate} ({@link TraceParent}, {@link TraceState}), the
 * gateway's own span per request and one child span per upstream attempt ({@link Tracing},
 * {@link RequestTrace}, {@link AttemptSpan}), and where finished spans go ({@link SpanSink}).
 * The settings in force ({@link TracingSettings}) are the configuration's {@code tracing} section
 * completed from the OpenTelemetry SDK environment variables ({@link OtelEnvironment}), read from
 * an injected environment at start and at each reload. Nothing here knows about the proxy; ids
 * come from an injected random source. The OpenTelemetry SDK is touched only by
 * {@code trace.otlp}, loaded only when OTLP export is on.
 */
package io.portcullis.trace;
