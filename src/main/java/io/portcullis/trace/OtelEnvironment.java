package io.portcullis.trace;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The OpenTelemetry SDK environment variables the gateway reads (README "Tracing", "Settings from
 * the environment"), read once from an injected environment and checked: a malformed value yields
 * one warning in {@link #warnings()} and is treated as unset, never an exception.
 *
 * <ul>
 *   <li>{@code OTEL_TRACES_EXPORTER}: {@code otlp} or {@code none};
 *   <li>{@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, used as it is, else
 *       {@code OTEL_EXPORTER_OTLP_ENDPOINT} with {@code v1/traces} appended to its path (the
 *       specification's "Endpoint URLs for OTLP/HTTP");
 *   <li>{@code OTEL_EXPORTER_OTLP_TRACES_HEADERS}, else {@code OTEL_EXPORTER_OTLP_HEADERS}
 *       ({@link OtlpHeaders});
 *   <li>{@code OTEL_SERVICE_NAME};
 *   <li>{@code OTEL_TRACES_SAMPLER_ARG}: the sample ratio, 0 to 1;
 *   <li>{@code OTEL_EXPORTER_OTLP_PROTOCOL} and its traces-only variant are only checked: spans
 *       are always sent as {@code http/protobuf}.
 * </ul>
 * An empty value counts as unset, as the specification says.
 *
 * @param exporterOtlp {@code TRUE} for {@code otlp}, {@code FALSE} for {@code none}, null when unset
 * @param endpoint the OTLP/HTTP traces URL, or null when unset
 * @param endpointVariable the variable {@code endpoint} came from, or null
 * @param headers headers for every export request (empty when unset)
 * @param headersVariable the variable {@code headers} came from, or null
 * @param serviceName {@code service.name}, or null when unset
 * @param sampleRatio the ratio for new traces, or null when unset
 * @param warnings one line per malformed or unsupported value, each naming its variable
 */
public record OtelEnvironment(Boolean exporterOtlp, String endpoint, String endpointVariable, Map<String, String> headers,
                              String headersVariable, String serviceName, Double sampleRatio, List<String> warnings) {

  /** Selects the exporter: {@code otlp} or {@code none}. */
  public static final String TRACES_EXPORTER = "OTEL_TRACES_EXPORTER";
  /** The OTLP/HTTP base URL of every signal; {@code v1/traces} is appended for spans. */
  public static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  /** The OTLP/HTTP traces URL, used as it is; wins over {@link #ENDPOINT}. */
  public static final String TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  /** Headers of every export request, {@code key=value,key2=value2}, values percent-encoded. */
  public static final String HEADERS = "OTEL_EXPORTER_OTLP_HEADERS";
  /** As {@link #HEADERS}, for spans only; wins over it. */
  public static final String TRACES_HEADERS = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
  /** {@code service.name} of exported spans. */
  public static final String SERVICE_NAME = "OTEL_SERVICE_NAME";
  /** The sampler's argument: for the gateway's parent-based ratio sampler, the ratio. */
  public static final String SAMPLER_ARG = "OTEL_TRACES_SAMPLER_ARG";
  /** The transport; only {@code http/protobuf} is supported. */
  public static final String PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
  /** As {@link #PROTOCOL}, for spans only. */
  public static final String TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";

  private static final String SIGNAL_PATH = "v1/traces";
  private static final String SUPPORTED_PROTOCOL = "http/protobuf";

  /** Nothing set. */
  public static final OtelEnvironment EMPTY = new OtelEnvironment(null, null, null, Map.of(), null, null, null, List.of());

  /** Copies the collections, unmodifiable (headers keep their order). */
  public OtelEnvironment {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    warnings = List.copyOf(warnings);
  }

  /** Reads and checks the variables above from {@code env} (a variable's value, or null if unset). */
  public static OtelEnvironment read(Function<String, String> env) {
    List<String> warnings = new ArrayList<>();
    Boolean exporter = exporter(value(env, TRACES_EXPORTER), warnings);
    checkProtocol(env, TRACES_PROTOCOL, warnings);
    checkProtocol(env, PROTOCOL, warnings);

    String endpointVariable = null;
    String endpoint = url(value(env, TRACES_ENDPOINT), TRACES_ENDPOINT, false, warnings);
    if (endpoint != null) {
      endpointVariable = TRACES_ENDPOINT;
    } else {
      endpoint = url(value(env, ENDPOINT), ENDPOINT, true, warnings);
      endpointVariable = endpoint == null ? null : ENDPOINT;
    }

    String headersVariable = null;
    Map<String, String> headers = headers(value(env, TRACES_HEADERS), TRACES_HEADERS, warnings);
    if (headers != null) {
      headersVariable = TRACES_HEADERS;
    } else {
      headers = headers(value(env, HEADERS), HEADERS, warnings);
      headersVariable = headers == null ? null : HEADERS;
    }

    String serviceName = value(env, SERVICE_NAME);
    Double ratio = ratio(value(env, SAMPLER_ARG), warnings);
    return new OtelEnvironment(exporter, endpoint, endpointVariable, headers == null ? Map.of() : headers,
        headersVariable, serviceName, ratio, warnings);
  }

  /** The variable's value without surrounding blanks; null when unset or blank. */
  private static String value(Function<String, String> env, String name) {
    String value = env.apply(name);
    if (value == null) {
      return null;
    }
    value = value.strip();
    return value.isEmpty() ? null : value;
  }

  private static Boolean exporter(String value, List<String> warnings) {
    if (value == null) {
      return null;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "otlp":
        return Boolean.TRUE;
      case "none":
        return Boolean.FALSE;
      default:
        warnings.add(TRACES_EXPORTER + ": " + quote(value) + " is not supported (expected otlp or none); ignored");
        return null;
    }
  }

  private static void checkProtocol(Function<String, String> env, String name, List<String> warnings) {
    String value = value(env, name);
    if (value != null && !value.equalsIgnoreCase(SUPPORTED_PROTOCOL)) {
      warnings.add(name + ": " + quote(value) + " is not supported; spans are sent as " + SUPPORTED_PROTOCOL);
    }
  }

  /**
   * {@code value} as an OTLP/HTTP traces URL, or null (with a warning) when it is not an absolute
   * http(s) URL with a host. With {@code appendSignalPath}, {@code v1/traces} is appended to its
   * path, after a '/' unless the path ends with one; the query, if any, is kept.
   */
  private static String url(String value, String name, boolean appendSignalPath, List<String> warnings) {
    if (value == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      uri = null;
    }
    String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getHost().isEmpty()) {
      warnings.add(name + ": " + quote(value) + " is not an http(s) URL like \"http://collector:4318\"; ignored");
      return null;
    }
    if (!appendSignalPath) {
      return value;
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String withSignal = path.endsWith("/") ? path + SIGNAL_PATH : path + "/" + SIGNAL_PATH;
    return scheme + "://" + uri.getRawAuthority() + withSignal + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static Map<String, String> headers(String value, String name, List<String> warnings) {
    if (value == null) {
      return null;
    }
    try {
      return OtlpHeaders.parse(value);
    } catch (IllegalArgumentException e) {
      warnings.add(name + ": " + e.getMessage() + "; the variable is ignored");
      return null;
    }
  }

  private static Double ratio(String value, List<String> warnings) {
    if (value == null) {
      return null;
    }
    double ratio;
    try {
      ratio = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      ratio = Double.NaN;
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      warnings.add(SAMPLER_ARG + ": " + quote(value) + " is not a ratio between 0 and 1; ignored");
      return null;
    }
    return ratio;
  }

  /** A value for a message: quoted, and cut after 64 characters. */
  private static String quote(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return "\"" + shown + "\"";
  }
}
