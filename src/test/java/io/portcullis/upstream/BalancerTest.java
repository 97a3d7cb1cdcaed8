package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.BalancerKind;
import io.portcullis.config.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Endpoint picking with the injected random source. */
class BalancerTest {

  private static EndpointState[] endpoints(int n) {
    EndpointState[] states = new EndpointState[n];
    for (int i = 0; i < n; i++) {
      states[i] = new EndpointState(new Endpoint("http", "127.0.0.1", 9000 + i));
    }
    return states;
  }

  private static List<Integer> picks(Balancer balancer, EndpointState[] states, int count) {
    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      picks.add(balancer.pick(states, index -> true));
    }
    return picks;
  }

  @Test
  void leastRequestsDrawsItsCandidatesFromTheInjectedRandomSource() {
    EndpointState[] states = endpoints(5);

    List<Integer> first = picks(Balancer.of(BalancerKind.LEAST_REQUESTS, new SplittableRandom(7)), states, 50);
    List<Integer> second = picks(Balancer.of(BalancerKind.LEAST_REQUESTS, new SplittableRandom(7)), states, 50);

    assertThat(first).isEqualTo(second);
    assertThat(first).as("every endpoint gets picked").containsAll(List.of(0, 1, 2, 3, 4));
  }

  @Test
  void leastRequestsPrefersTheLessBusyOfItsTwoCandidates() {
    EndpointState[] states = endpoints(2);
    states[0].acquire();

    assertThat(picks(Balancer.of(BalancerKind.LEAST_REQUESTS, new SplittableRandom(1)), states, 20))
        .containsOnly(1);
  }

  @Test
  void roundRobinSkipsIneligibleEndpointsAndKeepsRotating() {
    EndpointState[] states = endpoints(3);
    Balancer balancer = Balancer.of(BalancerKind.ROUND_ROBIN, new SplittableRandom(1));

    List<Integer> picks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picks.add(balancer.pick(states, index -> index != 1));
    }

    assertThat(picks).containsExactly(0, 2, 2, 0);
  }
}
