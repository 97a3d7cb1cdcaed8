package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusSetTest {

  @Test
  void holdsExactlyTheGivenCodes() {
    StatusSet set = StatusSet.of(Set.of(500, 502, 503, 504));

    assertThat(set.size()).isEqualTo(4);
    for (int status = -1; status <= 1100; status++) {
      assertThat(set.contains(status)).as("status %d", status)
          .isEqualTo(status == 500 || status == 502 || status == 503 || status == 504);
    }
  }

  @Test
  void codesEitherSideOfAWordBoundaryAreKeptApart() {
    StatusSet set = StatusSet.of(List.of(0, 63, 64, 127, 128, 999, 999));

    assertThat(set.size()).isEqualTo(6);
    assertThat(set.contains(0)).isTrue();
    assertThat(set.contains(63)).isTrue();
    assertThat(set.contains(64)).isTrue();
    assertThat(set.contains(65)).isFalse();
    assertThat(set.contains(999)).isTrue();
    assertThat(StatusSet.of(Set.of()).contains(500)).isFalse();
  }

  @Test
  void refusesACodeOutsideTheRange() {
    assertThatThrownBy(() -> StatusSet.of(List.of(1000))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatusSet.of(List.of(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void asASetOfIntegersItIsReadOnlyAscendingAndEqualToAnySetOfTheSameCodes() {
    StatusSet set = StatusSet.of(List.of(504, 429, 999, 0, 502));

    assertThat(set).containsExactly(0, 429, 502, 504, 999);
    assertThat(set).isEqualTo(Set.of(0, 429, 502, 504, 999)).hasSameHashCodeAs(Set.of(0, 429, 502, 504, 999));
    assertThat(set.contains((Object) 429)).isTrue();
    assertThat(set.contains((Object) 430)).isFalse();
    assertThat(set.contains((Object) "429")).isFalse();
    assertThat(StatusSet.of(Set.of())).isEmpty();
    assertThatThrownBy(() -> set.add(503)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> set.remove(429)).isInstanceOf(UnsupportedOperationException.class);
    java.util.Iterator<Integer> it = StatusSet.of(Set.of(200)).iterator();
    assertThat(it.next()).isEqualTo(200);
    assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
  }
}
