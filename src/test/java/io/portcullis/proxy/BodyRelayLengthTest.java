package io.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The declared {@code Content-Length} that lets {@link BodyRelay} end the client response with the
 * body's last chunk: only a plain decimal counts; anything else streams as if no length was
 * declared (the response then ends when the upstream body does).
 */
class BodyRelayLengthTest {

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "11 | 11",
      "0 | 0",
      "1048576 | 1048576",
      "999999999999999999 | 999999999999999999",
      "NULL | -1",
      "'' | -1",
      "-1 | -1",
      "+5 | -1",
      "1a | -1",
      "' 5' | -1",
      "5, 5 | -1",
      "1000000000000000000 | -1",
  })
  void onlyAPlainDecimalIsADeclaredLength(String header, long expected) {
    assertThat(BodyRelay.declaredLength(header)).isEqualTo(expected);
  }
}
