package io.portcullis.admission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic discrete-event model of the overload benchmark ({@code bench/overload/}), on
 * simulated time: open-loop Poisson arrivals in phases, a gateway that admits each request through
 * a {@link ConcurrencyLimiter} (refused: 503 at once) and answers 504 when a request's deadline
 * passes, and a thread-pool backend with {@code workers} workers, a fixed service time and an
 * unbounded FIFO queue that serves every request it accepted, also after the gateway gave up on it.
 */
final class OverloadSimulation {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  /** One phase of offered load. */
  record Phase(long durationMs, double requestsPerSecond) {
  }

  /** What one phase saw. */
  static final class PhaseResult {
    final Phase phase;
    final long startNanos;
    final long endNanos;
    int ok;
    int shed;
    int timedOut;
    final List<Long> okLatencies = new ArrayList<>();
    /** Arrival times (ns from the phase start) of requests that did not get a 200. */
    final List<Long> failureArrivals = new ArrayList<>();
    int minLimit = Integer.MAX_VALUE;
    int maxLimit;
    final List<Integer> limits = new ArrayList<>();

    PhaseResult(Phase phase, long startNanos) {
      this.phase = phase;
      this.startNanos = startNanos;
      this.endNanos = startNanos + phase.durationMs * MS;
    }

    /** 200 answers per second of the phase. */
    double goodput() {
      return ok / (phase.durationMs / 1000.0);
    }

    /** The given percentile of 200 latencies, in ms. */
    double okPercentileMs(double percentile) {
      if (okLatencies.isEmpty()) {
        return Double.NaN;
      }
      long[] sorted = okLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
      int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, index)] / (double) MS;
    }

    /** The last arrival (ms after the phase start) that did not get a 200, or -1 for none. */
    double lastFailureMs() {
      return failureArrivals.isEmpty() ? -1 : failureArrivals.get(failureArrivals.size() - 1) / (double) MS;
    }

    /** The limits sampled every 100 ms from {@code fromMs} into the phase on. */
    int[] limitRange(long fromMs) {
      int from = (int) (fromMs / 100);
      int[] tail = limits.subList(Math.min(from, limits.size()), limits.size()).stream()
          .mapToInt(Integer::intValue).toArray();
      return new int[] {Arrays.stream(tail).min().orElse(-1), Arrays.stream(tail).max().orElse(-1)};
    }

    @Override
    public String toString() {
      return String.format("%5.0f req/s for %d ms: 200=%d 503=%d 504=%d goodput=%.1f/s p50=%.0f ms p99=%.0f ms "
              + "limit %d..%d lastFailure=%.0f ms",
          phase.requestsPerSecond, phase.durationMs, ok, shed, timedOut, goodput(), okPercentileMs(50),
          okPercentileMs(99), minLimit, maxLimit, lastFailureMs());
    }
  }

  private final int workers;
  private final long serviceNanos;
  private final long deadlineNanos;
  private final long seed;
  private double slowFraction;
  private long slowNanos;
  private double noiseMeanNanos;
  private long noiseFromNanos;

  OverloadSimulation(int workers, long serviceMs, long deadlineMs, long seed) {
    this.workers = workers;
    this.serviceNanos = serviceMs * MS;
    this.deadlineNanos = deadlineMs * MS;
    this.seed = seed;
  }

  /** A fraction of requests takes {@code otherMs} to serve instead (a heavy tail, or cheap requests). */
  OverloadSimulation withSomeRequestsTaking(double fraction, long otherMs) {
    this.slowFraction = fraction;
    this.slowNanos = otherMs * MS;
    return this;
  }

  /**
   * Every answer reaches the gateway after an extra exponentially distributed delay of this mean
   * (the gateway's own scheduling under load), added to the latency the limiter sees.
   */
  OverloadSimulation withGatewayNoise(double meanMs) {
    return withGatewayNoise(meanMs, 0);
  }

  /**
   * As {@link #withGatewayNoise(double)}, from {@code fromMs} into the run on: the gateway became
   * slow (a CPU taken by other processes) after the limiter learned the upstream's latency.
   */
  OverloadSimulation withGatewayNoise(double meanMs, long fromMs) {
    this.noiseMeanNanos = meanMs * MS;
    this.noiseFromNanos = fromMs * MS;
    return this;
  }

  /** Runs the phases in order against {@code limiter}; one result per phase. */
  List<PhaseResult> run(ConcurrencyLimiter limiter, Phase... phases) {
    return new Run(limiter, phases).go();
  }

  private final class Run {
    final ConcurrencyLimiter limiter;
    final List<PhaseResult> results = new ArrayList<>();
    final PriorityQueue<Event> events = new PriorityQueue<>();
    final SplittableRandom random = new SplittableRandom(seed);
    final ArrayDeque queue = new ArrayDeque();
    int busy;
    long seq;
    long now;

    Run(ConcurrencyLimiter limiter, Phase[] phases) {
      this.limiter = limiter;
      long start = 0;
      for (Phase p : phases) {
        PhaseResult r = new PhaseResult(p, start);
        results.add(r);
        start = r.endNanos;
      }
    }

    List<PhaseResult> go() {
      long end = results.get(results.size() - 1).endNanos;
      scheduleArrival(0);
      for (long t = 0; t < end; t += 100 * MS) {
        push(t, Event.SAMPLE, null);
      }
      while (!events.isEmpty()) {
        Event e = events.poll();
        now = e.time;
        switch (e.kind) {
          case Event.ARRIVAL -> arrive();
          case Event.DONE -> finish(e.request);
          case Event.DEADLINE -> expire(e.request);
          case Event.SAMPLE -> sample();
          case Event.ANSWER -> answer(e.request);
          default -> throw new IllegalStateException("kind " + e.kind);
        }
      }
      return results;
    }

    PhaseResult phaseAt(long t) {
      for (PhaseResult r : results) {
        if (t < r.endNanos) {
          return r;
        }
      }
      return null;
    }

    void scheduleArrival(long from) {
      long t = from;
      while (true) {
        PhaseResult r = phaseAt(t);
        if (r == null) {
          return;
        }
        double gap = -Math.log(1 - random.nextDouble()) / r.phase.requestsPerSecond;
        long next = t + (long) (gap * SECOND);
        if (next < r.endNanos) {
          push(next, Event.ARRIVAL, null);
          return;
        }
        t = r.endNanos; // memoryless: start the next phase's process at its start
      }
    }

    void arrive() {
      scheduleArrival(now);
      PhaseResult phase = phaseAt(now);
      Permit permit = limiter.tryAcquire();
      if (!permit.admitted()) {
        phase.shed++;
        phase.failureArrivals.add(now - phase.startNanos);
        return;
      }
      Request r = new Request(now, permit, phase);
      push(now + deadlineNanos, Event.DEADLINE, r);
      if (busy < workers) {
        busy++;
        push(now + serviceTime(), Event.DONE, r);
      } else {
        queue.add(r);
      }
    }

    void finish(Request r) {
      Request next = queue.poll();
      if (next != null) {
        push(now + serviceTime(), Event.DONE, next);
      } else {
        busy--;
      }
      if (!r.answered) {
        long noise = noiseMeanNanos > 0 && now >= noiseFromNanos ? (long) (-Math.log(1 - random.nextDouble()) * noiseMeanNanos) : 0;
        if (noise > 0) {
          push(now + noise, Event.ANSWER, r);
        } else {
          answer(r);
        }
      }
    }

    void answer(Request r) {
      if (!r.answered) {
        r.answered = true;
        r.phase.ok++;
        r.phase.okLatencies.add(now - r.arrival);
        r.permit.onSuccess(r.arrival, now);
      }
    }

    long serviceTime() {
      return slowFraction > 0 && random.nextDouble() < slowFraction ? slowNanos : serviceNanos;
    }

    void expire(Request r) {
      if (!r.answered) {
        r.answered = true;
        r.phase.timedOut++;
        r.phase.failureArrivals.add(r.arrival - r.phase.startNanos);
        r.permit.onDropped(now);
      }
    }

    void sample() {
      PhaseResult phase = phaseAt(now);
      int limit = limiter.limit();
      phase.limits.add(limit);
      phase.minLimit = Math.min(phase.minLimit, limit);
      phase.maxLimit = Math.max(phase.maxLimit, limit);
    }

    void push(long time, int kind, Request r) {
      events.add(new Event(time, seq++, kind, r));
    }
  }

  /** The backend's FIFO queue. */
  @SuppressWarnings("serial")
  private static final class ArrayDeque extends java.util.ArrayDeque<Request> {
  }

  private static final class Request {
    final long arrival;
    final Permit permit;
    final PhaseResult phase;
    boolean answered;

    Request(long arrival, Permit permit, PhaseResult phase) {
      this.arrival = arrival;
      this.permit = permit;
      this.phase = phase;
    }
  }

  private record Event(long time, long seq, int kind, Request request) implements Comparable<Event> {
    static final int ARRIVAL = 0;
    static final int DONE = 1;
    static final int DEADLINE = 2;
    static final int SAMPLE = 3;
    static final int ANSWER = 4;

    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
