package io.portcullis.config;

/** Where finished spans go (JSON {@code tracing.exporter}). */
public enum TraceExporter {
  /** {@code "none"}: trace context is propagated and logged, no span is exported (the default). */
  NONE("none"),
  /** {@code "otlp"}: spans are exported by OTLP over HTTP to {@code tracing.otlpEndpoint}. */
  OTLP("otlp");

  private final String jsonName;

  TraceExporter(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used in the JSON configuration. */
  public String jsonName() {
    return jsonName;
  }
}
