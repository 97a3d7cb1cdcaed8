package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterLimitTest {

  @Test
  void bucketKeysNameTheRouteByLengthSoNoTwoRoutesAndKeysCollide() {
    ClusterLimit users = new ClusterLimit("users", new RateLimiter(10, 10, () -> 0));
    assertThat(users.bucket("10.1.2.3")).isEqualTo("portcullis:rl:5:users:10.1.2.3");

    ClusterLimit ab = new ClusterLimit("a:b", new RateLimiter(10, 10, () -> 0));
    ClusterLimit a = new ClusterLimit("a", new RateLimiter(10, 10, () -> 0));
    assertThat(ab.bucket("c")).isNotEqualTo(a.bucket("b:c"));
  }

  @Test
  void longKeysAreShortenedToDistinctBoundedNames() {
    ClusterLimit limit = new ClusterLimit("r", new RateLimiter(10, 10, () -> 0));
    String base = "k".repeat(5_000);
    String one = limit.bucket(base + "1");
    String two = limit.bucket(base + "2");

    assertThat(one).hasSize("portcullis:rl:1:r:".length() + ClusterLimit.MAX_KEY_CHARS);
    assertThat(one).isNotEqualTo(two);
    assertThat(limit.bucket("k".repeat(ClusterLimit.MAX_KEY_CHARS))).endsWith("k".repeat(ClusterLimit.MAX_KEY_CHARS));
  }

  @Test
  void theScriptsIntervalIsTheLocalIntervalRoundedUpToAMicrosecond() {
    for (double rps : List.of(100.0, 3.0, 7.3, 0.5, 0.001, 1e6, 3e6)) {
      // An empty bucket of one token answers exactly one interval.
      RateLimiter probe = new RateLimiter(rps, 1, () -> 0);
      probe.acquire("k");
      long localIntervalNanos = probe.acquire("k");

      ClusterLimit limit = new ClusterLimit("r", new RateLimiter(rps, 7, () -> 0));
      long expectedMicros = Math.max(1, (localIntervalNanos + 999) / 1_000);
      assertThat(limit.intervalMicros()).as("%s rps", rps).isEqualTo(expectedMicros);
      assertThat(limit.toleranceMicros()).isEqualTo(7 * expectedMicros);
    }
  }

  @Test
  void aToleranceBeyondWhatLuaHoldsExactlyIsClamped() {
    ClusterLimit limit = new ClusterLimit("r", new RateLimiter(1e-9, 1_000_000_000L, () -> 0));
    assertThat(limit.toleranceMicros()).isLessThanOrEqualTo(ClusterLimit.MAX_TOLERANCE_MICROS);
    assertThat(limit.intervalMicros()).isPositive();
  }

  @Test
  void theScriptIsNamedByTheSha1OfItsText() {
    assertThat(ClusterScript.SHA1).matches("[0-9a-f]{40}");
    assertThat(ClusterScript.SOURCE).contains("redis.call('TIME')");
  }
}
