package io.portcullis.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tracestate} validation and its limits (W3C Trace Context §3.3). */
class TraceStateTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "rojo=00f067aa0ba902b7",
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
      "rojo=1 , congo=2",
      "rojo=1,,congo=2",
      "tenant@vendor=x",
      "0tenant@vendor=x",
      "a_b-c*d/e=value with spaces",
      "k=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~",
  })
  void forwardsAWellFormedListUnchanged(String value) {
    assertThat(TraceState.forwardable(List.of(value))).isEqualTo(value);
  }

  @Test
  void joinsSeveralHeaderLinesIntoOneList() {
    assertThat(TraceState.forwardable(List.of("rojo=1", "congo=2"))).isEqualTo("rojo=1,congo=2");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "   ",
      "rojo",
      "=value",
      "Rojo=1",
      "1rojo=1",
      "rojo=",
      "rojo=a=b",
      "rojo=1,rojo=2",
      "tenant@=x",
      "@vendor=x",
      "tenant@Vendor=x",
      "tenant@vendorvendorvendor=x",
      "rojo=caf\u00e9",
      "rojo=tab\there",
  })
  void dropsAMalformedList(String value) {
    assertThat(TraceState.forwardable(List.of(value))).isNull();
  }

  @Test
  void dropsAListOverFiveHundredTwelveCharacters() {
    String at512 = "k=" + "v".repeat(254) + ",l=" + "v".repeat(253);
    String over = at512 + "x";

    assertThat(at512).hasSize(512);
    assertThat(TraceState.forwardable(List.of(at512))).isEqualTo(at512);
    assertThat(TraceState.forwardable(List.of(over))).isNull();
  }

  @Test
  void dropsAListOfMoreThanThirtyTwoMembers() {
    String members32 = IntStream.range(0, 32).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));

    assertThat(TraceState.forwardable(List.of(members32))).isEqualTo(members32);
    assertThat(TraceState.forwardable(List.of(members32 + ",k32=v"))).isNull();
  }

  @Test
  void dropsNothingAtAll() {
    assertThat(TraceState.forwardable(null)).isNull();
    assertThat(TraceState.forwardable(List.of())).isNull();
  }
}
