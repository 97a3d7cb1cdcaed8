package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.JitterMode;
import io.portcullis.config.RetryConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static RetryConfig config(Set<String> retryOn) {
    return new RetryConfig(3, 25, 250, JitterMode.FULL, 400, retryOn,
        Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), 0.2, 10);
  }

  @Test
  void mapsTheDocumentedRetryOnTokens() {
    RetryPolicy policy = RetryPolicy.from(config(
        Set.of("connect-failure", "reset", "per-try-timeout", "502", "503", "504")));

    assertThat(policy).isEqualTo(new RetryPolicy(3, 25, 250, JitterMode.FULL, 400, true, true,
        true, Set.of(502, 503, 504), Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE")));
  }

  @Test
  void leavesOutWhatRetryOnDoesNotName() {
    RetryPolicy policy = RetryPolicy.from(config(Set.of("503")));

    assertThat(policy.onConnectFailure()).isFalse();
    assertThat(policy.onReset()).isFalse();
    assertThat(policy.onPerTryTimeout()).isFalse();
    assertThat(policy.retriesOn(Outcome.response(503))).isTrue();
    assertThat(policy.retriesOn(Outcome.response(502))).isFalse();
    assertThat(policy.retriesOn(Outcome.connectFailure())).isFalse();
  }

  @Test
  void rejectsAnUnknownRetryOnToken() {
    for (String token : Set.of("5xx", "gateway-error", "50", "0503", "099")) {
      assertThatThrownBy(() -> RetryPolicy.from(config(Set.of(token)))).as(token)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(token);
    }
  }

  @Test
  void neverRetriesCircuitOpenCancelledOrOtherFailures() {
    RetryPolicy policy = RetryPolicy.from(config(
        Set.of("connect-failure", "reset", "per-try-timeout", "503")));

    assertThat(policy.retriesOn(Outcome.circuitOpen())).isFalse();
    assertThat(policy.retriesOn(Outcome.cancelled())).isFalse();
    assertThat(policy.retriesOn(Outcome.otherFailure())).isFalse();
  }

  @Test
  void copiesItsSets() {
    Set<Integer> statuses = new HashSet<>(Set.of(503));
    RetryPolicy policy = new RetryPolicy(3, 25, 250, JitterMode.FULL, 0, true, true, true,
        statuses, Set.of("GET"));
    statuses.add(500);

    assertThat(policy.onStatuses()).containsExactly(503);
    assertThatThrownBy(() -> policy.onStatuses().add(1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsIncoherentValues() {
    assertThatThrownBy(() -> new RetryPolicy(0, 25, 250, JitterMode.FULL, 0, true, true, true,
        Set.of(), Set.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(1, -1, 250, JitterMode.FULL, 0, true, true, true,
        Set.of(), Set.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, 25, 250, null, 0, true, true, true,
        Set.of(), Set.of())).isInstanceOf(NullPointerException.class);
  }

  @Test
  void outcomeLabelsAreTheMetricLabels() {
    assertThat(Outcome.connectFailure().label()).isEqualTo("connect-failure");
    assertThat(Outcome.reset().label()).isEqualTo("reset");
    assertThat(Outcome.perTryTimeout().label()).isEqualTo("per-try-timeout");
    assertThat(Outcome.circuitOpen().label()).isEqualTo("circuit-open");
    assertThat(Outcome.cancelled().label()).isEqualTo("cancelled");
    assertThat(Outcome.otherFailure().label()).isEqualTo("other");
    assertThat(Outcome.response(503).label()).isEqualTo("503");
    assertThatThrownBy(() -> Outcome.response(42)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void giveUpLabelsAreKebabCase() {
    assertThat(GiveUpReason.SUCCESS.label()).isEqualTo("success");
    assertThat(GiveUpReason.NOT_RETRYABLE.label()).isEqualTo("not-retryable");
    assertThat(GiveUpReason.MAX_ATTEMPTS.label()).isEqualTo("max-attempts");
    assertThat(GiveUpReason.NOT_IDEMPOTENT.label()).isEqualTo("not-idempotent");
    assertThat(GiveUpReason.BODY_NOT_REPLAYABLE.label()).isEqualTo("body-not-replayable");
    assertThat(GiveUpReason.DEADLINE.label()).isEqualTo("deadline");
    assertThat(GiveUpReason.BUDGET_EXHAUSTED.label()).isEqualTo("budget-exhausted");
    assertThat(GiveUpReason.NO_ENDPOINT.label()).isEqualTo("no-endpoint");
    assertThat(GiveUpReason.CANCELLED.label()).isEqualTo("cancelled");
  }
}
