package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Strict {@code traceparent} parsing and formatting (W3C Trace Context §3.2). */
class TraceParentTest {

  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void parsesTheSpecificationsExample() {
    TraceParent parsed = TraceParent.parse(VALID);

    assertThat(parsed).isNotNull();
    assertThat(parsed.traceIdHigh()).isEqualTo(0x4bf92f3577b34da6L);
    assertThat(parsed.traceIdLow()).isEqualTo(0xa3ce929d0e0e4736L);
    assertThat(parsed.parentId()).isEqualTo(0x00f067aa0ba902b7L);
    assertThat(parsed.flags()).isEqualTo(1);
    assertThat(parsed.sampled()).isTrue();
  }

  @Test
  void formatsBackToTheSameText() {
    assertThat(TraceParent.parse(VALID).format()).isEqualTo(VALID);
    assertThat(TraceParent.format(-1L, 0x8000_0000_0000_0000L, 1, 0))
        .isEqualTo("00-ffffffffffffffff8000000000000000-0000000000000001-00");
    assertThat(TraceParent.traceIdHex(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(TraceParent.spanIdHex(0xb7)).isEqualTo("00000000000000b7");
  }

  @Test
  void keepsUnknownFlagsAndAnUnsampledTrace() {
    TraceParent parsed = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-fe");

    assertThat(parsed.flags()).isEqualTo(0xfe);
    assertThat(parsed.sampled()).isFalse();
  }

  @Test
  void readsAFutureVersionByItsFirstFourFields() {
    TraceParent exact = TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    TraceParent longer = TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");

    assertThat(exact).isEqualTo(TraceParent.parse(VALID));
    assertThat(longer).isEqualTo(TraceParent.parse(VALID));
    assertThat(longer.format()).startsWith("00-");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "empty                        | ''",
      "too short                    | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
      "version 00 with more after   | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "future version glued on      | cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
      "version ff is forbidden      | ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "upper-case version           | 0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "upper-case trace id          | 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "upper-case parent id         | 00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "upper-case flags             | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      "all-zero trace id            | 00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "all-zero parent id           | 00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "non-hex in trace id          | 00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "non-hex in parent id         | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      "non-hex flags                | 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
      "wrong separator              | 00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "trace id one digit short     | 00-4bf92f3577b34da6a3ce929d0e0e473-000f067aa0ba902b7-01",
      "surrounding blanks           | ' 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'",
  })
  void refusesAnInvalidHeader(String why, String value) {
    assertThat(TraceParent.parse(value)).as(why).isNull();
  }

  @Test
  void refusesNull() {
    assertThat(TraceParent.parse(null)).isNull();
  }
}
