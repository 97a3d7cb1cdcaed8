package io.portcullis.bench;

import io.portcullis.http.HeaderNameSet;
import io.portcullis.http.HopByHop;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link HopByHop#copyEndToEnd(MultiMap, MultiMap, HeaderNameSet)} of a typical 12-header browser
 * request into an empty map, with the skip set the proxy uses for upstream requests
 * ({@code Forwarding}). Both maps are {@code HeadersMultiMap.httpHeaders()}, what Vert.x 5 uses for
 * a server request's and a client request's headers (with its header validator).
 * {@code newMapOnly} is the cost of the empty map alone.
 *
 * <p>The two {@code whatIf} benchmarks are diagnostics, not gateway code: the same copy written
 * with {@code MultiMap.forEach(BiConsumer)} (no per-header iterator wrapper), and the same copy
 * into a non-validating map (what Vert.x's header validation costs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeaderBench {

  private MultiMap browserRequest;
  private HeaderNameSet skip;

  @Setup(Level.Trial)
  public void setup() {
    // Same list as io.portcullis.proxy.Forwarding (deadline header at its default name).
    skip = HopByHop.skipping(Set.of("host", "x-request-id", "x-attempt-count", "content-length",
        "x-forwarded-proto", "x-forwarded-host", "x-forwarded-for", "X-Request-Timeout-Ms"));
    MultiMap h = HeadersMultiMap.httpHeaders();
    h.add("Host", "api.example.com");
    h.add("Connection", "keep-alive");
    h.add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36");
    h.add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8");
    h.add("Accept-Encoding", "gzip, deflate, br, zstd");
    h.add("Accept-Language", "en-GB,en;q=0.9,fr;q=0.8");
    h.add("Cookie", "session=8f2c1e0b9a7d4c3e; theme=dark; _ga=GA1.2.1234567890.1700000000");
    h.add("Referer", "https://www.example.com/account/orders");
    h.add("Sec-Fetch-Dest", "document");
    h.add("Sec-Fetch-Mode", "navigate");
    h.add("Sec-Fetch-Site", "same-site");
    h.add("Upgrade-Insecure-Requests", "1");
    browserRequest = h;
    MultiMap out = HeadersMultiMap.httpHeaders();
    HopByHop.copyEndToEnd(browserRequest, out, skip);
    if (out.size() != 10 || out.contains("Host") || out.contains("Connection")) {
      throw new IllegalStateException("unexpected copy: " + out);
    }
  }

  @Benchmark
  public MultiMap copyEndToEnd() {
    MultiMap out = HeadersMultiMap.httpHeaders();
    HopByHop.copyEndToEnd(browserRequest, out, skip);
    return out;
  }

  @Benchmark
  public MultiMap whatIfForEach() {
    MultiMap out = HeadersMultiMap.httpHeaders();
    Set<String> named = HopByHop.connectionTokens(browserRequest);
    HeaderNameSet skipSet = skip;
    browserRequest.forEach((name, value) -> {
      if (!skipSet.contains(name) && (named.isEmpty() || !named.contains(name.toLowerCase(java.util.Locale.ROOT)))) {
        out.add(name, value);
      }
    });
    return out;
  }

  @Benchmark
  public MultiMap whatIfNoValidation() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    HopByHop.copyEndToEnd(browserRequest, out, skip);
    return out;
  }

  @Benchmark
  public MultiMap newMapOnly() {
    return HeadersMultiMap.httpHeaders();
  }
}
