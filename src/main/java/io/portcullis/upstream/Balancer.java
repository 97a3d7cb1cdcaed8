package io.portcullis.upstream;

import io.portcullis.config.BalancerKind;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Picks an endpoint index among those a caller accepts. Implementations are lock-free and
 * shared by every event loop.
 */
public interface Balancer {

  /** Tells which endpoint indexes may be picked. */
  interface Eligibility {
    /** Whether endpoint {@code index} may be picked. */
    boolean eligible(int index);
  }

  /** An eligible index, or {@code -1} when none is. */
  int pick(EndpointState[] endpoints, Eligibility eligibility);

  /**
   * The balancer for {@code kind}; {@code random} draws the candidates of
   * {@code least-requests} (it must be safe to call from every event loop).
   */
  static Balancer of(BalancerKind kind, RandomGenerator random) {
    return kind == BalancerKind.LEAST_REQUESTS ? new LeastRequests(random) : new RoundRobin();
  }

  /** Round robin over eligible endpoints: ineligible ones are skipped, the rotation goes on. */
  final class RoundRobin implements Balancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public int pick(EndpointState[] endpoints, Eligibility eligibility) {
      int n = endpoints.length;
      int start = Math.floorMod(next.getAndIncrement(), n);
      for (int i = 0; i < n; i++) {
        int index = (start + i) % n;
        if (eligibility.eligible(index)) {
          return index;
        }
      }
      return -1;
    }
  }

  /**
   * Least requests by the power of two choices: two distinct eligible endpoints drawn at
   * random, the one with fewer requests in flight wins.
   */
  final class LeastRequests implements Balancer {
    private final RandomGenerator random;

    /** Draws with {@code random}. */
    LeastRequests(RandomGenerator random) {
      this.random = random;
    }

    @Override
    public int pick(EndpointState[] endpoints, Eligibility eligibility) {
      int n = endpoints.length;
      int[] candidates = new int[n];
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (eligibility.eligible(i)) {
          candidates[count++] = i;
        }
      }
      if (count == 0) {
        return -1;
      }
      if (count == 1) {
        return candidates[0];
      }
      int a = random.nextInt(count);
      int b = random.nextInt(count - 1);
      if (b >= a) {
        b++;
      }
      int ia = candidates[a];
      int ib = candidates[b];
      return endpoints[ib].inFlight() < endpoints[ia].inFlight() ? ib : ia;
    }
  }
}
