package io.portcullis.lifecycle;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x's JSON codec for this process, found by the service loader
 * ({@code META-INF/services/io.vertx.core.spi.JsonFactory}): Vert.x's own codec over
 * {@code jackson-core} alone. Without it, Vert.x picks its {@code jackson-databind} codec whenever
 * databind is on the class path (the YAML reader brings it), and its first JSON encoding builds
 * an {@code ObjectMapper}: some 300 classes loaded at start-up for a gateway that maps no Java
 * object to JSON (it encodes and decodes {@code JsonObject}s, maps, lists, strings and numbers,
 * which this codec writes the same way).
 */
public final class CoreJsonFactory implements JsonFactory {

  private static final JsonCodec CODEC = new JacksonCodec();

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
