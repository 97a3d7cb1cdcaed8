package io.portcullis.testkit;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** What a test needs to run the gateway's command line in a child JVM. */
public final class ChildJvm {

  private ChildJvm() {
  }

  /** The {@code java} launcher of the JVM running the tests. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The test classpath without the test classes, so the child logs as the shipped jar does (a
   * test-only logging configuration cannot change what it prints). Surefire's own property holds
   * the real entries; with a manifest-only booter jar, {@code java.class.path} works as it is.
   */
  public static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    String testClasses = Path.of(System.getProperty("user.dir"), "target", "test-classes").toString();
    return List.of(cp.split(File.pathSeparator)).stream()
        .filter(entry -> !entry.isBlank() && !Path.of(entry).toAbsolutePath().normalize().toString().equals(testClasses))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
