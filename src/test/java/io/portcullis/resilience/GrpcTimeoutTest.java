package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {

  @Test
  void parsesEveryUnitIntoMillisecondsRoundingUp() {
    Object[][] table = {
        {"250m", 250L},
        {"2S", 2_000L},
        {"1H", 3_600_000L},
        {"3M", 180_000L},
        {"100u", 1L},
        {"1000u", 1L},
        {"1001u", 2L},
        {"5n", 1L},
        {"1000000n", 1L},
        {"1000001n", 2L},
        {"0m", 0L},
        {"0n", 0L},
        {"00000007S", 7_000L},
        {"99999999H", 99_999_999L * 3_600_000L},
        {" 250m ", 250L},
    };
    for (Object[] row : table) {
      assertThat(GrpcTimeout.parseMillis((String) row[0])).as("\"%s\"", row[0])
          .isEqualTo(OptionalLong.of((Long) row[1]));
    }
  }

  @Test
  void malformedValuesAreEmpty() {
    String[] malformed = {
        "abc", "123456789S", "10x", "", " ", "m", "S", "10", "-5m", "+5m", "1.5S", "5 m",
        "5mm", "5s", "5h", "٣m", "1e3m"
    };
    for (String value : malformed) {
      assertThat(GrpcTimeout.parseMillis(value)).as("\"%s\"", value).isEmpty();
    }
    assertThat(GrpcTimeout.parseMillis(null)).isEmpty();
  }
}
