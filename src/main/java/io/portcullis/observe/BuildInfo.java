package io.portcullis.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This build's version ({@code --version}) and its meter, {@code portcullis_build_info{version,
 * java_version} 1} (the Prometheus info-metric convention: join on it to label other series).
 */
public final class BuildInfo {

  private static final Logger LOG = LoggerFactory.getLogger(BuildInfo.class);
  /** Written by the build (Maven resource filtering) for runs outside the jar. */
  static final String VERSION_RESOURCE = "/io/portcullis/version.properties";
  private static final String HELP = "Build information: always 1, the version and the Java runtime as labels";

  private BuildInfo() {
  }

  /**
   * This build's version: the jar manifest's {@code Implementation-Version} when run from the jar,
   * else the project version the build wrote into {@value #VERSION_RESOURCE} (runs from the
   * classes directory, as in tests), else {@code "unknown"}.
   */
  public static String version() {
    String fromManifest = BuildInfo.class.getPackage().getImplementationVersion();
    if (fromManifest != null && !fromManifest.isBlank()) {
      return fromManifest;
    }
    try (InputStream in = BuildInfo.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String fromBuild = properties.getProperty("version", "").strip();
        if (!fromBuild.isEmpty() && !fromBuild.contains("${")) {
          return fromBuild;
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read {}", VERSION_RESOURCE, e);
    }
    return "unknown";
  }

  /**
   * Registers {@code portcullis_build_info} in {@code registry}. In a Prometheus registry it is an
   * info metric of the Prometheus client itself: a Micrometer gauge would lose its {@code _info}
   * suffix there (the Prometheus client keeps that suffix for info metrics).
   */
  static void register(MeterRegistry registry) {
    String version = version();
    String javaVersion = System.getProperty("java.version", "unknown");
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      Info.builder()
          .name("portcullis_build_info")
          .help(HELP)
          .labelNames("version", "java_version")
          .register(prometheus.getPrometheusRegistry())
          .addLabelValues(version, javaVersion);
      return;
    }
    Gauge.builder("portcullis_build_info", () -> 1)
        .description(HELP)
        .tag("version", version)
        .tag("java_version", javaVersion)
        .strongReference(true)
        .register(registry);
  }

}
