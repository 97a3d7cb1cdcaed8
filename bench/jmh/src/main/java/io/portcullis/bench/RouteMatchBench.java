package io.portcullis.bench;

import io.portcullis.route.PathPattern;
import io.portcullis.route.RouteTable;

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

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link RouteTable#find} over 25 routes in configuration order: 5 exact {@code :param} routes
 * first (specific routes go first, since the first match wins), then 20 whole-segment prefixes.
 * <ul>
 *   <li>{@code latePrefix}: {@code /svc19/...} matches the 20th prefix, after failing all 5 param
 *       patterns and 19 prefixes;</li>
 *   <li>{@code paramPath}: matches the 5th param route, binding two parameters;</li>
 *   <li>{@code noMatch}: a 404, the full scan.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouteMatchBench {

  private RouteTable<String> table;
  // Not final / static final, so the JIT cannot constant-fold the inputs.
  private String latePrefixPath = "/svc19/orders/12345";
  private String paramPath = "/api/v1/accounts/7731/orders/991";
  private String missPath = "/nothing/here/at/all";
  private String method = "GET";

  @Setup(Level.Trial)
  public void setup() {
    List<RouteTable.Entry<String>> entries = new ArrayList<>();
    String[] params = {
        "/api/v1/users/:id",
        "/api/v1/users/:id/profile",
        "/api/v1/orders/:orderId/items/:itemId",
        "/api/v1/profile/:id",
        "/api/v1/accounts/:accountId/orders/:orderId",
    };
    for (int i = 0; i < params.length; i++) {
      entries.add(new RouteTable.Entry<>("param" + i, PathPattern.exact(params[i]),
          i % 2 == 0 ? Set.of() : Set.of("GET", "HEAD"), "param" + i));
    }
    for (int i = 0; i < 20; i++) {
      String prefix = String.format("/svc%02d", i);
      entries.add(new RouteTable.Entry<>("prefix" + i, PathPattern.prefix(prefix),
          i % 2 == 0 ? Set.of() : Set.of("GET", "POST"), "prefix" + i));
    }
    table = new RouteTable<>(entries);
    check("prefix19", table.find(method, latePrefixPath));
    check("param4", table.find(method, paramPath));
    if (table.find(method, missPath) != null) {
      throw new IllegalStateException("miss path matched");
    }
  }

  private static void check(String expected, RouteTable.Match<String> m) {
    if (m == null || !m.entry().name().equals(expected)) {
      throw new IllegalStateException("expected " + expected + ", got " + (m == null ? null : m.entry().name()));
    }
  }

  @Benchmark
  public RouteTable.Match<String> latePrefix() {
    return table.find(method, latePrefixPath);
  }

  @Benchmark
  public RouteTable.Match<String> paramPath() {
    return table.find(method, paramPath);
  }

  @Benchmark
  public RouteTable.Match<String> noMatch() {
    return table.find(method, missPath);
  }
}
