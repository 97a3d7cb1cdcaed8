/**
 * OTLP/HTTP (protobuf) export of finished spans through the OpenTelemetry SDK: a batch span
 * processor in front of the OTLP exporter, fed with spans that keep the gateway's own ids. The
 * only package that touches OpenTelemetry classes; loaded only when {@code tracing.exporter}
 * is {@code "otlp"}.
 */
package io.portcullis.trace.otlp;
