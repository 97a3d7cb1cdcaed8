package io.portcullis.trace;

import io.portcullis.config.TraceExporter;
import io.portcullis.config.TracingConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracing settings in force: the configuration file's {@code tracing} section completed from
 * the OpenTelemetry environment variables ({@link OtelEnvironment}). The file wins where it gives
 * a value other than its default; a key left out, or written with its default value, takes the
 * variable's value when one is set (README "Tracing", "Settings from the environment").
 *
 * @param enabled whether trace context is propagated ({@code tracing.enabled}; no variable)
 * @param export whether spans are exported by OTLP: {@code tracing.exporter} {@code "otlp"}, or
 *     {@code OTEL_TRACES_EXPORTER=otlp} when the file leaves the exporter at {@code "none"}. An
 *     endpoint variable alone does not turn export on.
 * @param endpoint the OTLP/HTTP traces URL
 * @param headers headers sent with every export request (from the environment only)
 * @param serviceName {@code service.name} of exported spans
 * @param sampleRatio the share of new traces sampled
 * @param fromEnvironment the variables whose values are in force, for the log
 */
public record TracingSettings(boolean enabled, boolean export, String endpoint, Map<String, String> headers,
                              String serviceName, double sampleRatio, List<String> fromEnvironment) {

  /** Copies the collections, unmodifiable (headers keep their order). */
  public TracingSettings {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    fromEnvironment = List.copyOf(fromEnvironment);
  }

  /** The settings of {@code file} completed from {@code env}. */
  public static TracingSettings resolve(TracingConfig file, OtelEnvironment env) {
    List<String> used = new ArrayList<>();
    boolean export = file.exporter() == TraceExporter.OTLP;
    if (file.exporter() == TracingConfig.DEFAULT_EXPORTER && env.exporterOtlp() != null) {
      export = env.exporterOtlp();
      used.add(OtelEnvironment.TRACES_EXPORTER);
    }
    String endpoint = file.otlpEndpoint();
    if (endpoint.equals(TracingConfig.DEFAULT_OTLP_ENDPOINT) && env.endpoint() != null) {
      endpoint = env.endpoint();
      used.add(env.endpointVariable());
    }
    if (env.headersVariable() != null) {
      used.add(env.headersVariable());
    }
    String serviceName = file.serviceName();
    if (serviceName.equals(TracingConfig.DEFAULT_SERVICE_NAME) && env.serviceName() != null) {
      serviceName = env.serviceName();
      used.add(OtelEnvironment.SERVICE_NAME);
    }
    double ratio = file.sampleRatio();
    if (ratio == TracingConfig.DEFAULT_SAMPLE_RATIO && env.sampleRatio() != null) {
      ratio = env.sampleRatio();
      used.add(OtelEnvironment.SAMPLER_ARG);
    }
    return new TracingSettings(file.enabled(), export, endpoint, env.headers(), serviceName, ratio, used);
  }

  /** Whether an exporter made for {@code other} would send spans exactly as one made for these settings. */
  boolean sameExporterAs(TracingSettings other) {
    return export == other.export && endpoint.equals(other.endpoint) && headers.equals(other.headers)
        && serviceName.equals(other.serviceName);
  }

  /** What the log may show: every setting but the header values (credentials, usually). */
  @Override
  public String toString() {
    return "TracingSettings[enabled=" + enabled + ", export=" + export + ", endpoint=" + endpoint + ", headers="
        + headers.keySet() + ", serviceName=" + serviceName + ", sampleRatio=" + sampleRatio + ", fromEnvironment="
        + fromEnvironment + "]";
  }
}
