package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaxForwardsTest {

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # field value               | parsed
      "0"                         | 0
      "5"                         | 5
      " 7	"                       | 7
      "0010"                      | 10
      "9223372036854775807"       | 9223372036854775807
      "9223372036854775808"       | 9223372036854775807
      "99999999999999999999999999" | 9223372036854775807
      ""                          | -2
      "   "                       | -2
      "-1"                        | -2
      "+3"                        | -2
      "1.5"                       | -2
      "3, 5"                      | -2
      "0x10"                      | -2
      "999999999999999999999x"    | -2
      "٣"                         | -2
      """)
  void parsesDigitsOnly(String value, long expected) {
    assertThat(MaxForwards.parse(value)).isEqualTo(expected);
  }

  @Test
  void anAbsentHeaderIsAbsent() {
    assertThat(MaxForwards.parse(null)).isEqualTo(MaxForwards.ABSENT);
  }

  @Test
  void zeroIsAnsweredHereAndAnythingElseIsNot() {
    assertThat(MaxForwards.answerHere(MaxForwards.parse("0"))).isTrue();
    assertThat(MaxForwards.answerHere(MaxForwards.parse(" 00 "))).isTrue();
    assertThat(MaxForwards.answerHere(MaxForwards.parse("1"))).isFalse();
    assertThat(MaxForwards.answerHere(MaxForwards.ABSENT)).isFalse();
    assertThat(MaxForwards.answerHere(MaxForwards.INVALID)).isFalse();
  }

  @Test
  void aPositiveValueIsForwardedDecrementedAndOthersAreLeftAsTheyCame() {
    assertThat(MaxForwards.forwarded(MaxForwards.parse("1"))).isEqualTo("0");
    assertThat(MaxForwards.forwarded(MaxForwards.parse("10"))).isEqualTo("9");
    assertThat(MaxForwards.forwarded(MaxForwards.parse("9999999999999999999999"))).isEqualTo("9223372036854775806");
    assertThat(MaxForwards.forwarded(MaxForwards.ABSENT)).isNull();
    assertThat(MaxForwards.forwarded(MaxForwards.INVALID)).isNull();
    assertThatThrownBy(() -> MaxForwards.forwarded(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
