package io.portcullis.dashboard;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's files, read from the jar once ({@code io/portcullis/dashboard/} on the class
 * path) and kept in memory: the page, its style sheet and its script. No other file is served.
 */
final class DashboardAssets {

  /** One file and its media type. */
  record Asset(Buffer content, String contentType) {
  }

  private static final String BASE = "/io/portcullis/dashboard/";
  /** The page at {@code GET /}. */
  static final String INDEX = "index.html";

  private final Map<String, Asset> byName;

  private DashboardAssets(Map<String, Asset> byName) {
    this.byName = byName;
  }

  /**
   * Reads the files from the class path: blocking, so call it off the event loops.
   *
   * @throws UncheckedIOException when one is missing (a broken build)
   */
  static DashboardAssets load() {
    return new DashboardAssets(Map.of(
        INDEX, read(INDEX, "text/html; charset=utf-8"),
        "dashboard.css", read("dashboard.css", "text/css; charset=utf-8"),
        "dashboard.js", read("dashboard.js", "text/javascript; charset=utf-8")));
  }

  /** The file called {@code name}, or null when there is none. */
  Asset get(String name) {
    return byName.get(name);
  }

  private static Asset read(String name, String contentType) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream(BASE + name)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("dashboard file " + BASE + name + " is not on the class path"));
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
