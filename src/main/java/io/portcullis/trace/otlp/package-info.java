/**
 * OTLP/HTTP (protobuf) export of finished spans through the OpenTelemetry SDK: a batch span
 * processor in front of the OTLP exporter, fed with spans that keep the gateway's own ids and
 * carry the attributes of the OpenTelemetry HTTP semantic conventions ({@code SpanAttributes}).
 * The only package that touches OpenTelemetry classes; loaded only when span export is on.
 */
package io.portcullis.trace.otlp;
