package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.UpstreamConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.http.GatewayError;
import io.portcullis.http.GatewayException;
import io.portcullis.resilience.Deadline;
import io.portcullis.resilience.Outcome;
import io.portcullis.testkit.FakeScheduler;
import io.portcullis.testkit.FakeTicker;
import io.portcullis.upstream.Upstream;
import java.net.ConnectException;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How an upstream failure becomes the client's error, against the request's deadline. */
class FailureMappingTest {

  private final FakeTicker ticker = new FakeTicker();
  private final CallPlan plan = plan();

  @Test
  void aConnectFailureWithinTheDeadlineIs502() {
    Deadline deadline = Deadline.after(500, ticker);
    ticker.advanceMillis(499);

    assertThat(UpstreamCaller.toGatewayException(connectFailure(), plan, deadline).error())
        .isEqualTo(GatewayError.UPSTREAM_UNAVAILABLE);
  }

  @Test
  void aConnectFailureThatEndsAfterTheDeadlinePassedIs504EvenBeforeTheDeadlineTimerFired() {
    Deadline deadline = Deadline.after(500, ticker);
    ticker.advanceMillis(505);

    assertThat(deadline.isCancelled()).as("no timer has fired").isFalse();
    assertThat(UpstreamCaller.toGatewayException(connectFailure(), plan, deadline).error())
        .isEqualTo(GatewayError.DEADLINE_EXCEEDED);
  }

  @Test
  void aGatewayErrorOfItsOwnAfterTheDeadlinePassedKeepsItsCode() {
    Deadline deadline = Deadline.after(500, ticker);
    ticker.advanceMillis(600);

    AttemptFailure poolFull = new AttemptFailure(Outcome.otherFailure(), "connection pool wait queue full",
        new GatewayException(GatewayError.OVERLOADED, "pool full", 1, null));
    assertThat(UpstreamCaller.toGatewayException(poolFull, plan, deadline).error()).isEqualTo(GatewayError.OVERLOADED);
  }

  private static AttemptFailure connectFailure() {
    return new AttemptFailure(Outcome.connectFailure(), "cannot connect", new ConnectException("refused"));
  }

  private static CallPlan plan() {
    String json = ("{'upstreams':{'svc':{'endpoints':['http://127.0.0.1:1']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'svc'}]}").replace('\'', '"');
    try {
      UpstreamConfig config = ConfigFiles.parse(json).upstreams().get("svc");
      Upstream upstream = new Upstream(null, config, new FakeTicker(), new FakeScheduler(), new SplittableRandom(1),
          (b, to) -> { });
      return new CallPlan(upstream, null, null, Set.of());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
