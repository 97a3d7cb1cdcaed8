package io.portcullis.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads and validates the gateway configuration (CONTRACT §1, §2): the one way to make a
 * {@link GatewayConfig}.
 *
 * <p>Every problem is collected, not just the first, and reported as {@code <json path>:
 * <problem>} in document order: wrong types ({@code server.port: must be an integer, got "8080"}),
 * unknown keys ({@code server.prot: unknown key}), missing members ({@code routes: required}),
 * values out of range, unknown upstreams, and incoherent settings such as a per-try timeout not
 * below its route's timeout. Two members of one object with the same name are an error too
 * ({@code server.port: duplicate key}).
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Parses and validates a configuration document.
   *
   * @param jsonText the JSON text (a UTF-8 byte order mark at its start is ignored)
   * @return the configuration, every default filled in
   * @throws ConfigException listing every problem; for text that is not JSON, the single problem
   *     {@code $: invalid JSON: <reason> at line L, column C}
   */
  public static GatewayConfig parse(String jsonText) throws ConfigException {
    Objects.requireNonNull(jsonText, "jsonText");
    JsonText.Document document;
    try {
      document = JsonText.parse(jsonText);
    } catch (JsonText.SyntaxException e) {
      throw new ConfigException(List.of("$: invalid JSON: " + e.getMessage()));
    }
    return new GatewayReader().read(document);
  }

  /**
   * Reads a configuration file (UTF-8) and {@link #parse}s it.
   *
   * @throws ConfigException as {@link #parse}, or {@code $: invalid JSON: not valid UTF-8 text}
   * @throws IOException only if the file cannot be read
   */
  public static GatewayConfig load(Path file) throws ConfigException, IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(List.of("$: invalid JSON: not valid UTF-8 text"));
    }
    return parse(text);
  }

  /**
   * The effective configuration as JSON, in the input schema, every default filled in (a route's
   * {@code retry} and {@code circuitBreaker} overrides hold only the fields it gave). Parsing the
   * result gives back an equal {@link GatewayConfig}.
   */
  public static JsonObject toJson(GatewayConfig config) {
    return ConfigWriter.toJson(Objects.requireNonNull(config, "config"));
  }
}
