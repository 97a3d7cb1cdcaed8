package io.portcullis.bench;

import io.portcullis.http.PathNormalizer;

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

import java.util.concurrent.TimeUnit;

/** {@link PathNormalizer#normalize} of an already-normal path (fast path) and a dotted one. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PathBench {

  private String simple = "/api/v1/users/12345/orders";
  private String dotted = "/api/v1/./users//12345/../12345/%7Eorders/";

  @Setup(Level.Trial)
  public void setup() {
    if (!simple.equals(PathNormalizer.normalize(simple))) {
      throw new IllegalStateException("simple path changed");
    }
    String d = PathNormalizer.normalize(dotted);
    if (!"/api/v1/users/12345/~orders/".equals(d)) {
      throw new IllegalStateException("dotted path normalized to " + d);
    }
  }

  @Benchmark
  public String simple() {
    return PathNormalizer.normalize(simple);
  }

  @Benchmark
  public String dotted() {
    return PathNormalizer.normalize(dotted);
  }
}
