package io.portcullis.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/api/users/7", "/a/b/", "/a-b_c~d/e.f", "/a/.hidden", "/a/..b", "/a/b..", "/a/x:y@z"})
  void anAlreadyNormalPathIsReturnedUnchanged(String path) {
    assertThat(PathNormalizer.normalize(path)).isEqualTo(path);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/a/./b,          /a/b",
      "/./a,            /a",
      "/a/b/.,          /a/b/",
      "/a/b/./,         /a/b/",
      "/a/b/../c,       /a/c",
      "/a/b/..,         /a/",
      "/a/b/../,        /a/",
      "/a/b/c/../../d,  /a/d",
      "/a/..,           /",
      "/..a/b,          /..a/b",
      "/.,              /"})
  void dotSegmentsAreRemoved(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/a/%2e%2e/b,       /b",
      "/a/%2E%2E/b,       /b",
      "/a/.%2e/b,         /b",
      "/a/%2e/b,          /a/b",
      "/a/b/%2e%2e,       /a/",
      "/%2e%2e%2fx,       /..%2Fx"})
  void percentEncodedDotSegmentsAreDecodedThenRemoved(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "//a,          /a",
      "/a//b,        /a/b",
      "/a///b//,     /a/b/",
      "//,           /",
      "/a/.//../b,   /b"})
  void repeatedSlashesAreMerged(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/a%2Fb,          /a%2Fb",
      "/a%2fb,          /a%2Fb",
      "/a/%2F/b,        /a/%2F/b",
      "/a/..%2F..%2Fb,  /a/..%2F..%2Fb",
      "/x/%2F..,        /x/%2F.."})
  void encodedSlashesStayEncodedAndAreNotSeparators(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/%7Euser,     /~user",
      "/%41%62c,     /Abc",
      "/a%2Db%5Fc,   /a-b_c",
      "/a%20b,       /a%20b",
      "/a%3fb,       /a%3Fb",
      "/%25,         /%25"})
  void onlyUnreservedCharactersAreDecodedAndOtherEscapesAreUpperCased(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @Test
  void anEncodedPercentIsDecodedOnlyOnceSoItCannotHideADotSegment() {
    assertThat(PathNormalizer.normalize("/a/%252e%252e/b")).isEqualTo("/a/%252e%252e/b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/..", "/../a", "/a/../..", "/a/b/../../../c", "/%2e%2e", "/%2E%2E/etc/passwd", "/a/%2e%2e/%2e%2e",
      "//..//a", "/./.."})
  void aPathClimbingAboveTheRootIsRefused(String raw) {
    assertThat(PathNormalizer.normalize(raw)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "*", "http://host/a", "/a%", "/a%2", "/a%zz", "/a%g1", "/a b", "/a\tb", "/a\u007fb", "/caf\u00e9",
      "/a\u0000b"})
  void aPathThatIsNotAbsoluteOriginFormOrIsBadlyEncodedIsRefused(String raw) {
    assertThat(PathNormalizer.normalize(raw)).isNull();
  }

  @Test
  void nullIsRefused() {
    assertThat(PathNormalizer.normalize(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a/./b/../c//d/%7E", "/%2e%2e%2F/x", "/a%2fb/./c", "/x/y/../../z/"})
  void normalizingTwiceGivesTheSameResult(String raw) {
    String once = PathNormalizer.normalize(raw);

    assertThat(once).isNotNull();
    assertThat(PathNormalizer.normalize(once)).isEqualTo(once);
  }
}
