package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ViaTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # Via value                                              | portcullis entries
      ""                                                       | 0
      "1.1 portcullis"                                         | 1
      "2 portcullis"                                           | 1
      "HTTP/1.1 portcullis"                                    | 1
      "1.0 fred, 1.1 p.example.net"                            | 0
      "1.1 portcullis, 1.1 edge, 2 portcullis"                 | 2
      "1.1 PortCullis"                                         | 1
      "1.1 portcullis:8080"                                    | 1
      "1.1 portcullisx, 1.1 xportcullis, 1.1 portcullis.io"    | 0
      "1.1 edge (portcullis, 1.1 portcullis)"                  | 0
      "1.1 edge (nested (1.1 portcullis) still), 1.1 portcullis" | 1
      "1.1 edge (quoted \\) 1.1 portcullis), 1.1 portcullis"   | 1
      "1.1 portcullis (Portcullis/1.0), 1.1 portcullis"        | 2
      ",, 1.1 portcullis ,,,	1.1	portcullis ,"               | 2
      "portcullis, portcullis"                                 | 0
      "1.1, portcullis"                                        | 0
      "(1.1 portcullis), 1.1 portcullis"                       | 1
      "1.1 edge (never closed, 1.1 portcullis, 1.1 portcullis" | 0
      "1.1(x) portcullis, 1.1 portcullis"                      | 1
      """)
  void countsOnlyEntriesWhoseReceivedByIsThePseudonym(String via, int expected) {
    assertThat(Via.count(via, Via.PSEUDONYM, 100)).isEqualTo(expected);
  }

  @Test
  void countsNothingInAnAbsentHeader() {
    assertThat(Via.count(null, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.isLoop(null, 1)).isFalse();
  }

  @Test
  void aLoopIsMaxHopsOrMoreOwnEntries() {
    String nine = String.join(", ", java.util.Collections.nCopies(9, "1.1 portcullis"));
    assertThat(Via.isLoop(nine, 10)).isFalse();
    assertThat(Via.isLoop(nine + ", 2 portcullis", 10)).isTrue();
    assertThat(Via.isLoop(nine + ", 1.1 portcullis, 1.1 portcullis", 10)).isTrue();
    assertThat(Via.isLoop("1.1 portcullis", 1)).isTrue();
  }

  @Test
  void stopsCountingAtTheLimit() {
    String many = String.join(", ", java.util.Collections.nCopies(1_000, "1.1 portcullis"));
    assertThat(Via.count(many, Via.PSEUDONYM, 10)).isEqualTo(10);
    assertThat(Via.count(many, Via.PSEUDONYM, 5_000)).isEqualTo(1_000);
  }

  @Test
  void hostileValuesAreReadToTheEndWithoutAnException() {
    String deepComments = "(".repeat(100_000) + "1.1 portcullis";
    String backslashes = "1.1 a (" + "\\".repeat(100_001);
    String commas = ",".repeat(100_000);
    String oneToken = "x".repeat(100_000);
    String controls = "\u0000\r\n1.1 portcullis\u00ff";

    assertThat(Via.count(deepComments, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.count(backslashes, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.count(commas, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.count(oneToken, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.count(controls, Via.PSEUDONYM, 10)).isZero();
    assertThat(Via.count("1.1 portcullis, " + controls + ", 1.1 portcullis", Via.PSEUDONYM, 10)).isEqualTo(2);
  }
}
