package io.portcullis.observe;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code AccessLogLine.format} of a typical proxied request (README "The access-log line"): every
 * field filled as for a proxied {@code GET} with tracing on. In this package because the line
 * writer is package-private. {@code withoutNewFields} writes the same line with {@code endpoint},
 * {@code clientIp} and {@code error} null and the byte counts 0: what the five fields added in
 * this form cost beyond their {@code null}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AccessLogLineBench {

  private final Instant ts = Instant.parse("2026-12-05T19:05:01.123456Z");
  private final String requestId = "3f2c0a3e-9d1b-4f6e-8c2a-1b2c3d4e5f60";
  /** The trace id 0af7651916cd43dd8448eb211c80319c, in halves. */
  private final long traceIdHigh = 0x0af7651916cd43ddL;
  private final long traceIdLow = 0x8448eb211c80319cL;

  @Benchmark
  public String typical() {
    return AccessLogLine.format(ts, requestId, "GET", "/api/v1/users/12345/orders", "users", 200, 3, "users",
        "127.0.0.1:9001", 1, "203.0.113.7", 0, 1_234, null, traceIdHigh, traceIdLow);
  }

  @Benchmark
  public String withoutNewFields() {
    return AccessLogLine.format(ts, requestId, "GET", "/api/v1/users/12345/orders", "users", 200, 3, "users",
        null, 1, null, 0, 0, null, traceIdHigh, traceIdLow);
  }
}
