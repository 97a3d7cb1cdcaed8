package io.portcullis.testkit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test started, closed after it in reverse order:
 * {@code @RegisterExtension final Closer toClose = new Closer();} then {@code toClose.add(gateway)}.
 */
public final class Closer implements AfterEachCallback {

  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Closes {@code resource} after the test; returns it. */
  public <T extends AutoCloseable> T add(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Closes {@code resource} now, before the end of the test; it is not closed again afterwards. */
  public void closeNow(AutoCloseable resource) {
    resources.removeIf(r -> r == resource);
    Closeables.closeAll(resource);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    AutoCloseable[] reversed = new AutoCloseable[resources.size()];
    for (int i = 0; i < reversed.length; i++) {
      reversed[i] = resources.get(reversed.length - 1 - i);
    }
    resources.clear();
    Closeables.closeAll(reversed);
  }
}
