package io.portcullis.testkit;

/** Closing what a test class started, in one call. */
public final class Closeables {

  private Closeables() {}

  /**
   * Closes each non-null resource in order; every one is tried, and the first failure is rethrown
   * (with later ones suppressed) once all were tried.
   */
  public static void closeAll(AutoCloseable... resources) {
    RuntimeException failure = null;
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing " + resource, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
