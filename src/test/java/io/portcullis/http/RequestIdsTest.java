package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

  private static void assertIsFreshUuid(String id) {
    assertThat(id).hasSize(36);
    UUID uuid = UUID.fromString(id);
    assertThat(uuid.toString()).isEqualTo(id);
    assertThat(uuid.version()).isEqualTo(4);
    assertThat(uuid.variant()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "!", "~", "req:1/2;x=\"y\"", "{[()]}|\\^`"})
  void aValidIncomingIdIsKept(String id) {
    assertThat(RequestIds.isValid(id)).isTrue();
    assertThat(RequestIds.keepOrCreate(id)).isEqualTo(id);
  }

  @Test
  void everyVisibleAsciiCharacterIsAllowed() {
    StringBuilder all = new StringBuilder();
    for (char c = 0x21; c <= 0x7E; c++) {
      all.append(c);
    }
    String first = all.substring(0, 94 / 2);
    String second = all.substring(94 / 2);

    assertThat(RequestIds.keepOrCreate(first)).isEqualTo(first);
    assertThat(RequestIds.keepOrCreate(second)).isEqualTo(second);
  }

  @Test
  void anIdOfExactly128CharactersIsKept() {
    String id = "x".repeat(128);

    assertThat(RequestIds.keepOrCreate(id)).isEqualTo(id);
  }

  @Test
  void anIdOf129CharactersIsReplacedByAUuid() {
    String id = "x".repeat(129);

    assertThat(RequestIds.isValid(id)).isFalse();
    assertIsFreshUuid(RequestIds.keepOrCreate(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", " leading", "trailing ", "tab\there", "new\nline", "cr\r", "nul\u0000",
      "del\u007f", "caf\u00e9", "\u00a0nbsp", "emoji\ud83d\ude00", "\u4e2d\u6587"})
  void anIdWithSpacesControlOrNonAsciiCharactersIsReplacedByAUuid(String id) {
    assertThat(RequestIds.isValid(id)).isFalse();
    String replaced = RequestIds.keepOrCreate(id);

    assertThat(replaced).isNotEqualTo(id);
    assertIsFreshUuid(replaced);
  }

  @Test
  void aMissingIdIsReplacedByAUuid() {
    assertThat(RequestIds.isValid(null)).isFalse();
    assertIsFreshUuid(RequestIds.keepOrCreate(null));
  }

  @Test
  void newIdsAreVersion4UuidsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.newId();
      assertIsFreshUuid(id);
      ids.add(id);
    }

    assertThat(ids).hasSize(10_000);
  }

  @Test
  void aNewIdIsItselfAValidIncomingId() {
    String id = RequestIds.newId();

    assertThat(RequestIds.isValid(id)).isTrue();
    assertThat(RequestIds.keepOrCreate(id)).isEqualTo(id);
  }
}
