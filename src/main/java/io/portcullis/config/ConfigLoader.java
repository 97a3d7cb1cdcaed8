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
import java.util.function.Function;

/**
 * Reads and validates the gateway configuration (README "Command line" and "Configuration reference"): the one way to make a
 * {@link GatewayConfig}. A loader is made with the {@link PathRules} of the routing package, which
 * owns the rules of path parameters and templates, and the {@link KeyPairRules} of the package
 * that serves TLS; the gateway's own loader, wired so, is
 * {@code io.portcullis.configfile.ConfigFiles}.
 *
 * <p>Every problem is collected, not just the first, and reported as {@code <json path>:
 * <problem>} in document order: wrong types ({@code server.port: must be an integer, got "8080"}),
 * unknown keys ({@code server.prot: unknown key}), missing members ({@code routes: required}),
 * values out of range, unknown upstreams, and incoherent settings such as a per-try timeout not
 * below its route's timeout. Two members of one object with the same name are an error too
 * ({@code server.port: duplicate key}). A document with more than a thousand problems gets the
 * first thousand and a last line {@code $: N more problems not shown}.
 *
 * <p>Before validation, {@code ${NAME}} and {@code ${NAME:-default}} in string values are
 * replaced from the environment (twelve-factor), see {@link #parse(String, Function)}.
 */
public final class ConfigLoader {

  private final PathRules pathRules;
  private final KeyPairRules keyPairRules;

  /**
   * A loader that checks path parameters and templates by {@code pathRules}, and whether the
   * listener's key belongs to its certificate by {@code keyPairRules}.
   */
  public ConfigLoader(PathRules pathRules, KeyPairRules keyPairRules) {
    this.pathRules = Objects.requireNonNull(pathRules, "pathRules");
    this.keyPairRules = Objects.requireNonNull(keyPairRules, "keyPairRules");
  }

  /**
   * Parses and validates a JSON configuration document, substituting the process environment
   * ({@link System#getenv(String)}) as {@link #parse(String, Function)} does.
   *
   * @param jsonText the JSON text (a UTF-8 byte order mark at its start is ignored)
   * @return the configuration, every default filled in
   * @throws ConfigException listing every problem; for text that is not JSON, the single problem
   *     {@code $: invalid JSON: <reason> at line L, column C}
   */
  public GatewayConfig parse(String jsonText) throws ConfigException {
    return parse(jsonText, System::getenv);
  }

  /**
   * Parses and validates a JSON configuration document, substituting {@code ${NAME}} and
   * {@code ${NAME:-default}} in its string values (not member names) from {@code env} first;
   * {@code $${} is a literal {@code ${}. An unset variable without a default is a problem at the
   * value's path: {@code upstreams.users.endpoints[0]: environment variable "USERS_URL" is not
   * set}. Substitution yields strings, so it serves string fields only (endpoints, hosts, header
   * names, paths); {@code "port": "${PORT}"} is a type error.
   *
   * @param jsonText the JSON text (a UTF-8 byte order mark at its start is ignored)
   * @param env the environment: a variable's value, or null if it is not set
   * @return the configuration, every default filled in
   * @throws ConfigException listing every problem
   */
  public GatewayConfig parse(String jsonText, Function<String, String> env) throws ConfigException {
    return parse(jsonText, ConfigFormat.JSON, env);
  }

  /**
   * Parses and validates a configuration document written in {@code format}, as
   * {@link #parse(String, Function)} does: the same checks and messages whatever the format. Text
   * that cannot be read is the single problem {@code $: invalid JSON: <reason> at line L, column
   * C} ({@code invalid YAML} for YAML), or a problem at a place of the document (a YAML key that
   * is not a string, aliases that expand too far).
   */
  public GatewayConfig parse(String text, ConfigFormat format, Function<String, String> env) throws ConfigException {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(env, "env");
    DocumentReader.Document document;
    try {
      String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
      String problem = format == ConfigFormat.YAML ? YamlText.precheck(body) : null;
      if (problem != null) {
        throw new ConfigException(List.of("$: invalid YAML: " + problem));
      }
      document = DocumentReader.read(format.parser(body), format);
    } catch (DocumentReader.SyntaxException e) {
      String at = e.path() == null ? "$: invalid " + format.displayName() + ": " : GatewayReader.label(e.path()) + ": ";
      throw new ConfigException(List.of(at + e.getMessage()));
    } catch (IOException e) {
      throw new ConfigException(List.of("$: invalid " + format.displayName() + ": " + e.getMessage()));
    }
    return new GatewayReader(pathRules, keyPairRules).read(document, env);
  }

  /**
   * Reads a configuration file (UTF-8) and {@link #parse(String)}s it with the process
   * environment, as YAML if its name ends in {@code .yaml} or {@code .yml}, else as JSON.
   *
   * @throws ConfigException as {@link #parse}, or {@code $: invalid JSON: not valid UTF-8 text}
   * @throws IOException only if the file cannot be read
   */
  public GatewayConfig load(Path file) throws ConfigException, IOException {
    return load(file, System::getenv);
  }

  /**
   * Reads a configuration file (UTF-8) and {@link #parse(String, ConfigFormat, Function) parses}
   * it with the environment {@code env}, in the {@link ConfigFormat#of format of its name}.
   *
   * @throws ConfigException as {@link #parse}, or {@code $: invalid JSON: not valid UTF-8 text}
   * @throws IOException only if the file cannot be read
   */
  public GatewayConfig load(Path file, Function<String, String> env) throws ConfigException, IOException {
    Objects.requireNonNull(env, "env");
    return parse(Files.readAllBytes(file), ConfigFormat.of(file), env);
  }

  /**
   * Parses a JSON configuration file's content (UTF-8) as {@link #load(Path, Function)} does, for
   * a caller that has read the bytes itself.
   *
   * @throws ConfigException as {@link #parse}, or {@code $: invalid JSON: not valid UTF-8 text}
   */
  public GatewayConfig parse(byte[] bytes, Function<String, String> env) throws ConfigException {
    return parse(bytes, ConfigFormat.JSON, env);
  }

  /**
   * Parses a configuration file's content (UTF-8) written in {@code format}, for a caller that has
   * read the bytes itself (to compare them with the last ones seen).
   *
   * @throws ConfigException as {@link #parse}, or {@code $: invalid JSON: not valid UTF-8 text}
   *     ({@code invalid YAML} for YAML)
   */
  public GatewayConfig parse(byte[] bytes, ConfigFormat format, Function<String, String> env) throws ConfigException {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(env, "env");
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(List.of("$: invalid " + format.displayName() + ": not valid UTF-8 text"));
    }
    return parse(text, format, env);
  }

  /**
   * The effective configuration as JSON, in the input schema, every default filled in (a route's
   * {@code retry} and {@code circuitBreaker} overrides hold only the fields it gave). Parsing the
   * result gives back an equal {@link GatewayConfig}: a literal {@code ${} in a string value is
   * written {@code $${}, so that environment substitution turns it back into itself.
   */
  public static JsonObject toJson(GatewayConfig config) {
    return ConfigWriter.toJson(Objects.requireNonNull(config, "config"));
  }
}
