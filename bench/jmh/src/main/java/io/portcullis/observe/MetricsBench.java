package io.portcullis.observe;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portcullis.resilience.Outcome;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the gateway's per-request meters cost on the event loop: {@code request} is
 * {@link GatewayMetrics#request} (the client request's counter and duration histogram),
 * {@code attempt} is {@link GatewayMetrics#attempt} of a 200 with its time to the head (the
 * upstream attempt's counter and histogram); both are made once per proxied request. The
 * registry is the gateway's: Prometheus, on {@link CoarseClock}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MetricsBench {

  private GatewayMetrics metrics;
  private final Outcome ok = Outcome.response(200);
  private long nanos = 1_234_567;

  @Setup
  public void setUp() {
    // The gateway's registry: Prometheus, on the coarse clock its meters read (lifecycle.Gateway).
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
        new CoarseClock(Clock.SYSTEM));
    metrics = new GatewayMetrics(registry);
  }

  @Benchmark
  public void request() {
    nanos = (nanos * 31 + 7) & 0x3ffffff;
    metrics.request("all", "GET", 200, nanos);
  }

  @Benchmark
  public void attempt() {
    nanos = (nanos * 31 + 7) & 0x3ffffff;
    metrics.attempt("backend", ok, nanos);
  }
}
