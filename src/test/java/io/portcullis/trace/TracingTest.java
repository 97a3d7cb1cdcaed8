package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BreakerOverride;
import io.portcullis.config.Endpoint;
import io.portcullis.config.MatchConfig;
import io.portcullis.config.RetryOverride;
import io.portcullis.config.RouteConfig;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The gateway's span per request and a child span per attempt, with injected ids and clock. */
class TracingTest {

  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  /** A sink keeping every span. */
  private static final class ListSink implements SpanSink {
    final List<FinishedSpan> spans = new ArrayList<>();
    final boolean recording;

    ListSink(boolean recording) {
      this.recording = recording;
    }

    @Override
    public boolean recording() {
      return recording;
    }

    @Override
    public void accept(FinishedSpan span) {
      spans.add(span);
    }

    @Override
    public CompletableFuture<Void> shutdown(long timeoutMs) {
      return CompletableFuture.completedFuture(null);
    }
  }

  private final AtomicLong clock = new AtomicLong(1_000);
  private final ListSink sink = new ListSink(true);

  private Tracing tracing(double ratio, RandomGenerator random) {
    return Tracing.of(ratio, random, clock::get, sink);
  }

  private static MultiMap headers(String... nameValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return headers;
  }

  @Test
  void aValidParentContinuesItsTraceWithTheGatewaysOwnSpan() {
    RequestTrace trace = tracing(1, new SplittableRandom(1)).start(headers("traceparent", PARENT, "tracestate", "rojo=1"));

    assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(trace.parentId()).isEqualTo(0x00f067aa0ba902b7L);
    assertThat(trace.spanId()).isNotIn(0L, 0x00f067aa0ba902b7L);
    assertThat(trace.sampled()).isTrue();
    assertThat(trace.traceState()).isEqualTo("rojo=1");
  }

  @Test
  void newIdsComeFromTheInjectedRandomSource() {
    SplittableRandom expected = new SplittableRandom(7);
    long high = expected.nextLong();
    long low = expected.nextLong();
    long span = expected.nextLong();
    long attempt = expected.nextLong();

    RequestTrace trace = tracing(1, new SplittableRandom(7)).start(headers());
    MultiMap out = headers();
    trace.attempt(1).writeTo(out);

    assertThat(trace.traceId()).isEqualTo(TraceParent.traceIdHex(high, low));
    assertThat(trace.parentId()).isZero();
    assertThat(trace.spanId()).isEqualTo(span);
    assertThat(out.get("traceparent")).isEqualTo(TraceParent.format(high, low, attempt, 1));
  }

  @Test
  void eachAttemptSendsItsOwnSpanIdAsTheParentId() {
    RequestTrace trace = tracing(1, new SplittableRandom(3)).start(headers("traceparent", PARENT, "tracestate", "rojo=1"));
    List<String> sent = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      MultiMap out = headers("traceparent", PARENT, "tracestate", "rojo=1");
      AttemptSpan span = trace.attempt(n);
      span.writeTo(out);
      TraceParent written = TraceParent.parse(out.get("traceparent"));
      assertThat(written.parentId()).isEqualTo(span.spanId()).isNotEqualTo(trace.spanId());
      assertThat(out.getAll("traceparent")).hasSize(1);
      assertThat(out.getAll("tracestate")).containsExactly("rojo=1");
      sent.add(out.get("traceparent"));
    }
    assertThat(sent).doesNotHaveDuplicates()
        .allSatisfy(h -> assertThat(h).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01"));
  }

  @Test
  void anInvalidParentStartsANewTraceAndDropsTheTracestate() {
    String upper = PARENT.toUpperCase();
    RequestTrace trace = tracing(1, new SplittableRandom(5)).start(headers("traceparent", upper, "tracestate", "rojo=1"));
    MultiMap out = headers("traceparent", upper, "tracestate", "rojo=1");
    trace.attempt(1).writeTo(out);

    assertThat(trace.traceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(trace.parentId()).isZero();
    assertThat(out.contains("tracestate")).isFalse();
    assertThat(TraceParent.parse(out.get("traceparent"))).isNotNull();
  }

  @Test
  void twoTraceparentHeadersAreInvalid() {
    RequestTrace trace = tracing(1, new SplittableRandom(5)).start(headers("traceparent", PARENT, "traceparent", PARENT));

    assertThat(trace.traceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void theIncomingSampledFlagWinsOverTheRatio() {
    Tracing never = tracing(0, new SplittableRandom(1));
    String unsampled = PARENT.substring(0, 53) + "00";

    assertThat(never.start(headers("traceparent", PARENT)).sampled()).isTrue();
    assertThat(tracing(1, new SplittableRandom(1)).start(headers("traceparent", unsampled)).sampled()).isFalse();
  }

  @Test
  void theRatioDecidesForNewTraces() {
    Tracing half = tracing(0.5, new SplittableRandom(11));
    int sampled = 0;
    for (int i = 0; i < 1000; i++) {
      if (half.start(headers()).sampled()) {
        sampled++;
      }
    }
    assertThat(sampled).isBetween(400, 600);
    assertThat(tracing(0, new SplittableRandom(1)).start(headers()).sampled()).isFalse();
    assertThat(tracing(1, new SplittableRandom(1)).start(headers()).sampled()).isTrue();
  }

  @Test
  void anUnsampledTraceSaysSoUpstream() {
    RequestTrace trace = tracing(0, new SplittableRandom(1)).start(headers());
    MultiMap out = headers();
    trace.attempt(1).writeTo(out);

    assertThat(out.get("traceparent")).endsWith("-00");
  }

  @Test
  void sampledSpansAreRecordedWithTheirParentsAndTimes() {
    Endpoint one = new Endpoint("http", "127.0.0.1", 1);
    Endpoint two = new Endpoint("http", "127.0.0.1", 2);
    RouteConfig users = route("users", "/api/users/:id", null);
    RequestTrace trace = Tracing.of(1, new SplittableRandom(9), clock::get, sink, "https", List.of(users))
        .start(headers("traceparent", PARENT, "host", "edge.example:8443"));
    clock.set(2_000);
    AttemptSpan first = trace.attempt(1);
    clock.set(3_000);
    first.end("GET", "users", "users-up", one, 0, true);
    first.end("GET", "users", "users-up", one, 0, true); // only once
    AttemptSpan second = trace.attempt(2);
    clock.set(4_000);
    second.end("GET", "users", "users-up", two, 200, false);
    clock.set(5_000);
    trace.finish("GET", "users", "/api/users/7", 200);

    assertThat(sink.spans).hasSize(3);
    FinishedSpan a1 = sink.spans.get(0);
    FinishedSpan a2 = sink.spans.get(1);
    FinishedSpan server = sink.spans.get(2);
    assertThat(server).isEqualTo(new FinishedSpan(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, trace.spanId(),
        0x00f067aa0ba902b7L, FinishedSpan.Kind.SERVER, 1_000, 5_000, "GET", 200, false, "https", "edge.example:8443",
        "/api/users/7", "/api/users/:id", null, null, 0));
    assertThat(a1).isEqualTo(new FinishedSpan(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, first.spanId(),
        trace.spanId(), FinishedSpan.Kind.CLIENT, 2_000, 3_000, "GET", 0, true, null, null, null, null, "users-up",
        one, 1));
    assertThat(a2.spanId()).isEqualTo(second.spanId());
    assertThat(a2.attempt()).isEqualTo(2);
    assertThat(a2.endpoint()).isEqualTo(two);
    assertThat(a2.status()).isEqualTo(200);
    assertThat(a2.error()).isFalse();
    assertThat(server.name()).isEqualTo("GET /api/users/:id");
    assertThat(a1.name()).isEqualTo("GET");
  }

  @Test
  void theServerSpanOfARequestNoRouteMatchedIsNamedByItsMethodAlone() {
    RequestTrace trace = Tracing.of(1, new SplittableRandom(9), clock::get, sink, "http",
        List.of(route("users", null, "/api/users"))).start(headers());
    trace.finish("GET", null, "/nothing", 404);

    assertThat(sink.spans).singleElement().satisfies(span -> {
      assertThat(span.httpRoute()).isNull();
      assertThat(span.name()).isEqualTo("GET");
      assertThat(span.authority()).isNull();
      assertThat(span.error()).isFalse();
    });
  }

  @Test
  void anUnknownMethodNamesTheSpanHttp() {
    RequestTrace trace = Tracing.of(1, new SplittableRandom(9), clock::get, sink, "http",
        List.of(route("all", null, "/"))).start(headers());
    trace.finish("PURGE", "all", "/x", 502);

    assertThat(sink.spans).singleElement().satisfies(span -> {
      assertThat(span.knownMethod()).isFalse();
      assertThat(span.name()).isEqualTo("HTTP /*");
      assertThat(span.error()).isTrue();
    });
  }

  @Test
  void aRouteTemplateIsTheExactPathOrThePrefixWithAStar() {
    assertThat(Tracing.httpRoute(route("a", "/api/profile/:id", null))).isEqualTo("/api/profile/:id");
    assertThat(Tracing.httpRoute(route("b", null, "/api/users"))).isEqualTo("/api/users/*");
    assertThat(Tracing.httpRoute(route("c", null, "/"))).isEqualTo("/*");
  }

  private static RouteConfig route(String name, String path, String prefix) {
    return new RouteConfig(name, new MatchConfig(Optional.ofNullable(path), Optional.ofNullable(prefix), Set.of()),
        Optional.of("up"), List.of(), Optional.empty(), OptionalLong.empty(), RetryOverride.NONE, BreakerOverride.NONE);
  }

  @Test
  void unsampledTracesAndANonRecordingSinkRecordNothing() {
    RequestTrace unsampled = tracing(0, new SplittableRandom(1)).start(headers());
    unsampled.attempt(1).end("GET", "r", "u", new Endpoint("http", "e", 80), 200, false);
    unsampled.finish("GET", "r", "/p", 200);
    assertThat(sink.spans).isEmpty();

    ListSink off = new ListSink(false);
    RequestTrace trace = Tracing.of(1, new SplittableRandom(1), () -> {
      throw new AssertionError("no clock read when nothing is recorded");
    }, off).start(headers());
    trace.attempt(1).end("GET", "r", "u", new Endpoint("http", "e", 80), 200, false);
    trace.finish("GET", "r", "/p", 200);
    assertThat(off.spans).isEmpty();
  }

  @Test
  void disabledTracingStartsNothing() {
    assertThat(Tracing.DISABLED.start(headers("traceparent", PARENT))).isNull();
    assertThat(Tracing.DISABLED.enabled()).isFalse();
  }
}
