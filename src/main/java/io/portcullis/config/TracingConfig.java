package io.portcullis.config;

import java.util.Objects;

/**
 * W3C trace context (JSON object {@code tracing}).
 *
 * @param enabled whether {@code traceparent}/{@code tracestate} are propagated to every upstream
 *     attempt (a trace started when the request has none, a child span per attempt) and the trace
 *     id logged; default {@code true}
 * @param exporter where spans are exported; default {@link TraceExporter#NONE}
 * @param otlpEndpoint the OTLP/HTTP traces URL, {@code http} or {@code https}; default
 *     {@code "http://localhost:4318/v1/traces"}
 * @param serviceName the {@code service.name} of exported spans; default {@code "portcullis"}
 * @param sampleRatio share of new traces exported, 0..1 (a request's own sampled flag wins);
 *     default {@code 1.0}
 */
public record TracingConfig(
    boolean enabled, TraceExporter exporter, String otlpEndpoint, String serviceName, double sampleRatio) {

  /** Default {@link #enabled()}. */
  public static final boolean DEFAULT_ENABLED = true;
  /** Default {@link #exporter()}. */
  public static final TraceExporter DEFAULT_EXPORTER = TraceExporter.NONE;
  /** Default {@link #otlpEndpoint()}. */
  public static final String DEFAULT_OTLP_ENDPOINT = "http://localhost:4318/v1/traces";
  /** Default {@link #serviceName()}. */
  public static final String DEFAULT_SERVICE_NAME = "portcullis";
  /** Default {@link #sampleRatio()}. */
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;

  /** Checks that no component is null. */
  public TracingConfig {
    Objects.requireNonNull(exporter, "exporter");
    Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
    Objects.requireNonNull(serviceName, "serviceName");
  }

  /** The configuration used when the JSON has no {@code tracing} object. */
  public static TracingConfig defaults() {
    return new TracingConfig(DEFAULT_ENABLED, DEFAULT_EXPORTER, DEFAULT_OTLP_ENDPOINT, DEFAULT_SERVICE_NAME,
        DEFAULT_SAMPLE_RATIO);
  }
}
