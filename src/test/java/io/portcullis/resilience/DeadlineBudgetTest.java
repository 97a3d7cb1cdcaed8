package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DeadlineBudgetTest {

  private static final OptionalLong NONE = OptionalLong.empty();

  @Test
  void theBudgetIsTheSmallestOfItsSources() {
    Object[][] table = {
        // route, client header, grpc-timeout, max, expected
        {3_000L, NONE, NONE, 60_000L, 3_000L},
        {3_000L, OptionalLong.of(1_200), NONE, 60_000L, 1_200L},
        {3_000L, OptionalLong.of(9_000), NONE, 60_000L, 3_000L},
        {3_000L, NONE, OptionalLong.of(250), 60_000L, 250L},
        {3_000L, OptionalLong.of(800), OptionalLong.of(900), 60_000L, 800L},
        {3_000L, OptionalLong.of(900), OptionalLong.of(800), 60_000L, 800L},
        {90_000L, NONE, NONE, 60_000L, 60_000L},
        {90_000L, OptionalLong.of(120_000), OptionalLong.of(7_200_000), 60_000L, 60_000L},
        {3_000L, NONE, OptionalLong.of(0), 60_000L, 0L},
    };
    for (Object[] row : table) {
      assertThat(DeadlineBudget.budgetMs((Long) row[0], (OptionalLong) row[1],
          (OptionalLong) row[2], (Long) row[3])).as("%s %s %s %s", row).isEqualTo(row[4]);
    }
  }
}
