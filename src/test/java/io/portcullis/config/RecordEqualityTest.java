package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The records whose equals and hashCode are written out (Endpoint, BreakerConfig, RetryOverride):
 * equal components make equal records with equal hashes, and a change of any one component makes
 * them differ, as a record's generated methods do.
 */
class RecordEqualityTest {

  @Test
  void endpointsAreEqualExactlyWhenEveryComponentIs() {
    assertEqualityFollowsEveryComponent(() -> new Endpoint("http", "a", 80, Optional.empty()), List.of(
        new Endpoint("https", "a", 80, Optional.empty()),
        new Endpoint("http", "b", 80, Optional.empty()),
        new Endpoint("http", "a", 81, Optional.empty()),
        new Endpoint("http", "a", 80, Optional.of("svc.internal"))));
  }

  @Test
  void breakerSettingsAreEqualExactlyWhenEveryComponentIs() {
    assertEqualityFollowsEveryComponent(() -> new BreakerConfig(5, 10_000, 5_000, Set.of(502)), List.of(
        new BreakerConfig(6, 10_000, 5_000, Set.of(502)),
        new BreakerConfig(5, 10_001, 5_000, Set.of(502)),
        new BreakerConfig(5, 10_000, 5_001, Set.of(502)),
        new BreakerConfig(5, 10_000, 5_000, Set.of(503))));
  }

  @Test
  void retryOverridesAreEqualExactlyWhenEveryComponentIs() {
    assertEqualityFollowsEveryComponent(
        () -> new RetryOverride(3, 25L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
        List.of(
            new RetryOverride(4, 25L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 26L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 25L, 251L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.NONE, 100L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.FULL, 101L, Set.of("502"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.FULL, 100L, Set.of("503"), Set.of("GET"), 0.2, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("PUT"), 0.2, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.3, 10.0),
            new RetryOverride(3, 25L, 250L, JitterMode.FULL, 100L, Set.of("502"), Set.of("GET"), 0.2, 11.0),
            RetryOverride.NONE));
    assertThat(new RetryOverride(null, null, null, null, null, null, null, null, null)).isEqualTo(RetryOverride.NONE)
        .hasSameHashCodeAs(RetryOverride.NONE);
  }

  private static <T> void assertEqualityFollowsEveryComponent(Supplier<T> make, List<T> eachOneComponentChanged) {
    T one = make.get();
    T same = make.get();
    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(null).isNotEqualTo("not a record");
    for (T changed : eachOneComponentChanged) {
      assertThat(one).as("differs from %s", changed).isNotEqualTo(changed);
      assertThat(changed).isNotEqualTo(one);
    }
  }
}
