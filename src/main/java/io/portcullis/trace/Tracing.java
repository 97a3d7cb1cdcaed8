package io.portcullis.trace;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.trace.otlp.OtlpSpanSink;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The tracing policy of one configuration: whether trace context is propagated, how new traces
 * are sampled, where ids come from, where finished spans go, and what the server span says of a
 * route (its path template). Safe to share across event loops when its random source is (the
 * gateway gives it a thread-local one). A reload makes a new one; it keeps the previous exporter
 * when the export settings did not change.
 */
public final class Tracing {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.events");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized(TraceParent.HEADER);
  private static final CharSequence TRACESTATE = HttpHeaders.createOptimized(TraceState.HEADER);

  /** Tracing off: {@link #start} returns {@code null} and nothing is added to any request. */
  public static final Tracing DISABLED =
      new Tracing(false, 0, () -> 0L, () -> 0L, SpanSink.NONE, "http", Map.of(), null, null);

  private static final LongSupplier SYSTEM_EPOCH_NANOS = () -> {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  };

  private final boolean enabled;
  private final double sampleRatio;
  private final RandomGenerator random;
  private final LongSupplier epochNanos;
  private final SpanSink sink;
  private final String scheme;
  private final Map<String, String> routeTemplates;
  /** What this was made from (null for {@link #DISABLED} and {@link #of}): a reload compares them. */
  private final TracingSettings settings;
  private final OtelEnvironment environment;

  private Tracing(boolean enabled, double sampleRatio, RandomGenerator random, LongSupplier epochNanos,
                  SpanSink sink, String scheme, Map<String, String> routeTemplates, TracingSettings settings,
                  OtelEnvironment environment) {
    this.enabled = enabled;
    this.sampleRatio = sampleRatio;
    this.random = random;
    this.epochNanos = epochNanos;
    this.sink = sink;
    this.scheme = scheme;
    this.routeTemplates = routeTemplates;
    this.settings = settings;
    this.environment = environment;
  }

  /**
   * Tracing per {@code config}'s {@code tracing} section completed from the OpenTelemetry
   * variables of {@code env} ({@link TracingSettings#resolve}), read now. Warnings about malformed
   * variables are logged once: again on a later call only when they differ from
   * {@code previous}'s. The OpenTelemetry exporter is created (and its classes loaded) only when
   * export is on; {@code previous}'s exporter is kept when the export settings are unchanged.
   *
   * @param env a variable's value, or null when it is not set
   * @param previous the tracing of the configuration being replaced, or null at start
   */
  public static Tracing create(GatewayConfig config, Function<String, String> env, RandomGenerator random,
                               Tracing previous) {
    if (!config.tracing().enabled()) {
      return DISABLED;
    }
    OtelEnvironment environment = OtelEnvironment.read(env);
    List<String> before = previous == null || previous.environment == null ? List.of()
        : previous.environment.warnings();
    for (String warning : environment.warnings()) {
      if (!before.contains(warning)) {
        LOG.warn("tracing: {}", warning);
      }
    }
    TracingSettings settings = TracingSettings.resolve(config.tracing(), environment);
    SpanSink sink;
    if (previous != null && previous.settings != null && previous.settings.sameExporterAs(settings)) {
      sink = previous.sink;
    } else if (settings.export()) {
      sink = OtlpSpanSink.create(settings);
    } else {
      sink = SpanSink.NONE;
      if (environment.endpoint() != null) {
        LOG.info("tracing: {} is set, but span export is off: set tracing.exporter to \"otlp\" or {}=otlp to export",
            environment.endpointVariable(), OtelEnvironment.TRACES_EXPORTER);
      }
    }
    String scheme = config.server().tls().isPresent() ? "https" : "http";
    return new Tracing(true, settings.sampleRatio(), random, SYSTEM_EPOCH_NANOS, sink, scheme,
        routeTemplates(config.routes()), settings, environment);
  }

  /** Tracing with every collaborator given (tests): scheme {@code http}, no route templates. */
  public static Tracing of(double sampleRatio, RandomGenerator random, LongSupplier epochNanos, SpanSink sink) {
    return of(sampleRatio, random, epochNanos, sink, "http", List.of());
  }

  /** Tracing with every collaborator given (tests), for a listener of {@code scheme} serving {@code routes}. */
  public static Tracing of(double sampleRatio, RandomGenerator random, LongSupplier epochNanos, SpanSink sink,
                           String scheme, List<RouteConfig> routes) {
    return new Tracing(true, sampleRatio, random, epochNanos, sink, scheme, routeTemplates(routes), null, null);
  }

  /**
   * The {@code http.route} of a route: its {@code match.path} as written ({@code /api/profile/:id}),
   * or its {@code match.pathPrefix} followed by {@code /*} ({@code /api/users/*}, and {@code /*}
   * for {@code /}).
   */
  public static String httpRoute(RouteConfig route) {
    if (route.match().path().isPresent()) {
      return route.match().path().get();
    }
    String prefix = route.match().pathPrefix().orElseThrow();
    return prefix.endsWith("/") ? prefix + "*" : prefix + "/*";
  }

  private static Map<String, String> routeTemplates(List<RouteConfig> routes) {
    Map<String, String> templates = new HashMap<>();
    for (RouteConfig route : routes) {
      templates.put(route.name(), httpRoute(route));
    }
    return Map.copyOf(templates);
  }

  /** Whether trace context is propagated. */
  public boolean enabled() {
    return enabled;
  }

  /** The settings in force; {@code null} for {@link #DISABLED} and for tracing made by {@link #of}. */
  public TracingSettings settings() {
    return settings;
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
    boolean recording = sink.recording();
    long start = recording ? epochNanos.getAsLong() : 0;
    // Read only for a span that may be exported: the request path pays nothing otherwise.
    String authority = recording ? headers.get(HttpHeaders.HOST) : null;
    if (parent != null) {
      String state = headers.contains(TRACESTATE) ? TraceState.forwardable(headers.getAll(TRACESTATE))
          : null;
      return new RequestTrace(this, parent.traceIdHigh(), parent.traceIdLow(), parent.parentId(), newSpanId(),
          parent.sampled(), state, start, authority);
    }
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0);
    return new RequestTrace(this, high, low, 0, newSpanId(), sampleNewTrace(), null, start, authority);
  }

  /** The one {@code traceparent} of {@code headers}; none when absent, repeated or invalid. */
  private static TraceParent singleTraceParent(MultiMap headers) {
    String value = headers.get(TRACEPARENT);
    if (value == null) {
      return null;
    }
    List<String> all = headers.getAll(TRACEPARENT);
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

  String scheme() {
    return scheme;
  }

  /** The path template of the route named {@code route}; null for none. */
  String httpRoute(String route) {
    return route == null ? null : routeTemplates.get(route);
  }

  /**
   * Called when {@code next} replaces this tracing: unless {@code next} kept this exporter, it
   * exports what it has queued and stops, waiting at most {@code timeoutMs} (in the background).
   */
  public void handOver(Tracing next, long timeoutMs) {
    if (next.sink != sink) {
      sink.shutdown(timeoutMs);
    }
  }

  /** Exports the spans still queued and stops the exporter, waiting at most {@code timeoutMs}. */
  public CompletableFuture<Void> shutdown(long timeoutMs) {
    return sink.shutdown(timeoutMs);
  }
}
