package io.portcullis.configfile;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigFormat;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.edge.CertificatePair;
import io.portcullis.route.RoutePathRules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The gateway's configuration loader: {@link ConfigLoader} wired with the routing package's path
 * rules ({@link RoutePathRules}) and the edge's check that the listener's key belongs to its
 * certificate ({@link CertificatePair#RULES}). Everything that reads a configuration file or text, the command
 * line, hot reload and the tests, goes through here.
 */
public final class ConfigFiles {

  private static final ConfigLoader LOADER = new ConfigLoader(RoutePathRules.INSTANCE, CertificatePair.RULES);

  private ConfigFiles() {}

  /** The loader itself. */
  public static ConfigLoader loader() {
    return LOADER;
  }

  /** Reads a configuration file with the process environment: {@link ConfigLoader#load(Path)}. */
  public static GatewayConfig load(Path file) throws ConfigException, IOException {
    return LOADER.load(file);
  }

  /** Reads a configuration file with the environment {@code env}: {@link ConfigLoader#load(Path, Function)}. */
  public static GatewayConfig load(Path file, Function<String, String> env) throws ConfigException, IOException {
    return LOADER.load(file, env);
  }

  /** Parses JSON text with the process environment: {@link ConfigLoader#parse(String)}. */
  public static GatewayConfig parse(String jsonText) throws ConfigException {
    return LOADER.parse(jsonText);
  }

  /** Parses JSON text with the environment {@code env}: {@link ConfigLoader#parse(String, Function)}. */
  public static GatewayConfig parse(String jsonText, Function<String, String> env) throws ConfigException {
    return LOADER.parse(jsonText, env);
  }

  /** Parses a JSON file's bytes with the environment {@code env}: {@link ConfigLoader#parse(byte[], Function)}. */
  public static GatewayConfig parse(byte[] bytes, Function<String, String> env) throws ConfigException {
    return LOADER.parse(bytes, env);
  }

  /**
   * Parses the bytes read from {@code file}, in the format its name gives (YAML for .yaml and
   * .yml, else JSON), with the environment {@code env}: for a caller that read the file itself.
   */
  public static GatewayConfig parse(byte[] bytes, Path file, Function<String, String> env) throws ConfigException {
    return LOADER.parse(bytes, ConfigFormat.of(file), env);
  }

  /** Parses text written in {@code format} with the environment {@code env}. */
  public static GatewayConfig parse(String text, ConfigFormat format, Function<String, String> env)
      throws ConfigException {
    return LOADER.parse(text, format, env);
  }

  /**
   * Why a configuration file could not be read, in a few words for the one line that reports it:
   * {@code no such file}, {@code permission denied}, {@code is a directory}, or the system's own
   * reason.
   */
  public static String readFailure(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
