package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The document Jackson's streaming parsers give the readers: values, order, duplicates, limits. */
class DocumentReaderTest {

  private static DocumentReader.Document read(String text, ConfigFormat format) throws Exception {
    return DocumentReader.read(format.parser(text), format);
  }

  @Test
  void numbersAreExactlyAsWritten() throws Exception {
    JsonArray values = (JsonArray) read("[1, 12345678901234567890, 1.0, 0.99999999999999999999, 1e400, -0]",
        ConfigFormat.JSON).value();

    assertThat(values.getList()).containsExactly(1, new BigInteger("12345678901234567890"), new BigDecimal("1.0"),
        new BigDecimal("0.99999999999999999999"), new BigDecimal("1e400"), 0);
  }

  @ParameterizedTest
  @EnumSource(ConfigFormat.class)
  void everyDuplicateNameOfEveryObjectIsReportedOnceInDocumentOrder(ConfigFormat format) throws Exception {
    String text = "{\"a\": 1, \"b\": {\"x\": 1, \"x\": 2, \"x\": 3, \"y\": 0, \"y\": 0}, \"a\": 2, \"c\": [{\"k\": 1, \"k\": 2}]}";

    DocumentReader.Document document = read(text, format);

    assertThat(document.duplicateKeys()).extracting(d -> d.object() + " " + d.name())
        .containsExactly("[b] x", "[b] y", "[] a", "[c, 0] k");
    assertThat(((JsonObject) document.value()).fieldNames()).containsExactly("a", "b", "c");
  }

  @Test
  void membersKeepTheirOrder() throws Exception {
    JsonObject object = (JsonObject) read("{\"z\": 1, \"a\": 2, \"m\": 3}", ConfigFormat.JSON).value();

    assertThat(object.fieldNames()).containsExactly("z", "a", "m");
  }

  @Test
  void yamlScalarsBecomeTheSameValuesAsJson() throws Exception {
    Object yaml = read("a: 1\nb: 1.5\nc: true\nd: ~\ne: text\nf: '8080'\ng: [x, 2]\n", ConfigFormat.YAML).value();
    Object json = read("{\"a\":1,\"b\":1.5,\"c\":true,\"d\":null,\"e\":\"text\",\"f\":\"8080\",\"g\":[\"x\",2]}",
        ConfigFormat.JSON).value();

    assertThat(yaml).isEqualTo(json);
  }

  @Test
  void nestingBeyondTheLimitIsASyntaxErrorWithItsPosition() {
    String deep = "[".repeat(ConfigFormat.MAX_DEPTH + 1) + "]".repeat(ConfigFormat.MAX_DEPTH + 1);

    DocumentReader.SyntaxException e =
        catchThrowableOfType(DocumentReader.SyntaxException.class, () -> read(deep, ConfigFormat.JSON));

    assertThat(e.getMessage()).isEqualTo("nesting deeper than 256 levels at line 1, column 257");
    assertThat(e.path()).isNull();
  }

  @Test
  void nestingUpToTheLimitIsRead() throws Exception {
    String deep = "[".repeat(ConfigFormat.MAX_DEPTH) + "]".repeat(ConfigFormat.MAX_DEPTH);

    assertThat(read(deep, ConfigFormat.JSON).value()).isInstanceOf(JsonArray.class);
  }

  @Test
  void aYamlAliasIsACopyOfItsAnchor() throws Exception {
    JsonObject object = (JsonObject) read("a: &x {k: [1, 2]}\nb: *x\nc: &s text\nd: *s\n", ConfigFormat.YAML).value();

    assertThat(object.getValue("b")).isEqualTo(object.getValue("a")).isNotSameAs(object.getValue("a"));
    assertThat(object.getString("d")).isEqualTo("text");
  }

  @Test
  void aYamlKeyThatIsNotAStringNamesItsPath() {
    DocumentReader.SyntaxException e = catchThrowableOfType(DocumentReader.SyntaxException.class,
        () -> read("a:\n  - {b: {1.5: x}}\n", ConfigFormat.YAML));

    assertThat(e.path()).isEqualTo(List.of("a", 0, "b", "1.5"));
    assertThat(e.getMessage()).isEqualTo("a key must be a string, got 1.5 (quote it: \"1.5\")");
  }
}
