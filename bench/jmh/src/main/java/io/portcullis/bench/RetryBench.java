package io.portcullis.bench;

import io.portcullis.config.RetryConfig;
import io.portcullis.resilience.GiveUpReason;
import io.portcullis.resilience.Outcome;
import io.portcullis.resilience.RequestTraits;
import io.portcullis.resilience.RetryBudget;
import io.portcullis.resilience.RetryDecision;
import io.portcullis.resilience.RetryListener;
import io.portcullis.resilience.RetryOperator;
import io.portcullis.resilience.RetryPolicy;
import io.portcullis.resilience.Scheduler;
import io.portcullis.resilience.Ticker;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * {@link RetryOperator#decide} with the default retry settings (GET, 3000 ms left): after a
 * retryable 503 (draws a full-jitter backoff, returns a Retry) and after a 200 (returns
 * Stop(SUCCESS), what every successful request goes through); and the retry budget's per-request
 * work, {@link RetryBudget#recordRequest} then {@link RetryBudget#tryAcquireRetry}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RetryBench {

  /** The random source GatewayRuntime gives every operator. */
  private static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  private RetryOperator operator;
  private RetryBudget budget;
  private Outcome status503 = Outcome.response(503);
  private Outcome status200 = Outcome.response(200);
  private RequestTraits get = new RequestTraits("GET", false, true);
  private long remainingMs = 3000;
  private long previousDelayMs = 25;

  @Setup(Level.Trial)
  public void setup() {
    RetryConfig defaults = RetryConfig.defaults();
    budget = new RetryBudget(defaults.budgetRatio(), defaults.budgetMinPerSecond(), Ticker.system());
    Scheduler noTimers = (delayMs, task) -> () -> false;
    operator = new RetryOperator(RetryPolicy.from(defaults), budget, noTimers, THREAD_LOCAL_RANDOM,
        RetryListener.NONE);
    if (!(operator.decide(1, status503, get, remainingMs, previousDelayMs) instanceof RetryDecision.Retry)) {
      throw new IllegalStateException("503 not retried");
    }
    if (!(operator.decide(1, status200, get, remainingMs, previousDelayMs)
        instanceof RetryDecision.Stop s && s.reason() == GiveUpReason.SUCCESS)) {
      throw new IllegalStateException("200 not a success");
    }
  }

  @Benchmark
  public RetryDecision decideRetryable503() {
    return operator.decide(1, status503, get, remainingMs, previousDelayMs);
  }

  @Benchmark
  public RetryDecision decideSuccess() {
    return operator.decide(1, status200, get, remainingMs, previousDelayMs);
  }

  /** What every request pays (tryAcquireRetry runs only before a retry). */
  @Benchmark
  public void budgetRecordOnly() {
    budget.recordRequest();
  }

  @Benchmark
  @Threads(2)
  public void budgetRecordOnlyTwoThreads() {
    budget.recordRequest();
  }

  @Benchmark
  public boolean budgetRecordAndAcquire() {
    budget.recordRequest();
    return budget.tryAcquireRetry();
  }

  /** The same from two threads at once (the budget is shared by every event loop). */
  @Benchmark
  @Threads(2)
  public boolean budgetRecordAndAcquireTwoThreads() {
    budget.recordRequest();
    return budget.tryAcquireRetry();
  }
}
