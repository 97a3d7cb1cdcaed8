package io.portcullis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RateLimitScope;
import io.portcullis.configfile.ConfigFiles;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/kubernetes/*.yaml agree with each other, with the gateway configuration their ConfigMap
 * holds (read by {@link ConfigLoader}, with the Deployment's environment) and with README "Deploying on Kubernetes":
 * probe paths and ports, container and Service ports, the termination grace period against
 * {@code shutdown.drainMs + graceMs}, label selectors and the non-root security context; and the
 * optional Redis of cluster rate limits ({@code optional/redis.yaml}) against the configuration's
 * {@code redis.endpoint}.
 */
class KubernetesManifestsTest {

  private static final Path DIR = Path.of(System.getProperty("user.dir"), "deploy", "kubernetes");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

  private static Map<String, Object> configMap;
  private static Map<String, Object> deployment;
  private static Map<String, Object> service;
  private static Map<String, Object> hpa;
  private static Map<String, Object> pdb;
  /** The gateway container of the Deployment. */
  private static Map<String, Object> container;
  /** The Deployment's pod template labels. */
  private static Map<String, Object> podLabels;
  /** The gateway configuration in the ConfigMap, with the Deployment's environment substituted. */
  private static GatewayConfig config;

  @BeforeAll
  static void load() throws IOException, ConfigException {
    configMap = manifest("configmap.yaml", "v1", "ConfigMap");
    deployment = manifest("deployment.yaml", "apps/v1", "Deployment");
    service = manifest("service.yaml", "v1", "Service");
    hpa = manifest("hpa.yaml", "autoscaling/v2", "HorizontalPodAutoscaler");
    pdb = manifest("pdb.yaml", "policy/v1", "PodDisruptionBudget");

    List<Map<String, Object>> containers = list(podSpec(), "containers");
    assertThat(containers).as("containers").hasSize(1);
    container = containers.get(0);
    podLabels = map(map(map(deployment, "spec"), "template"), "metadata").get("labels") instanceof Map<?, ?> m
        ? cast(m) : Map.of();
    assertThat(podLabels).as("pod template labels").isNotEmpty();

    config = ConfigFiles.parse(gatewayJson(), containerEnv()::get);
  }

  // ---- the ConfigMap's configuration ----

  @Test
  void theConfigMapHoldsAValidGatewayConfig() {
    assertThat(config.routes()).isNotEmpty();
    assertThat(config.upstreams()).isNotEmpty();
  }

  @Test
  void everyEnvironmentVariableTheConfigNeedsIsSetByTheDeployment() {
    // Without the Deployment's env the ConfigMap's config is incomplete: the variables are
    // really used, and the Deployment is what sets them.
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigFiles.parse(gatewayJson(), name -> null));
    assertThat(e).isNotNull();
    assertThat(e.errors()).allMatch(line -> line.contains("environment variable"));
  }

  @Test
  void theMainPortListensOnEveryInterface() {
    assertThat(config.server().host()).as("server.host must be reachable from the pod network")
        .isNotIn(LOOPBACK);
  }

  @Test
  void theAdminPortIsReachableForPrometheusScraping() {
    Map<String, Object> metadata = map(map(map(deployment, "spec"), "template"), "metadata");
    Map<String, Object> annotations = metadata.containsKey("annotations") ? map(metadata, "annotations") : Map.of();
    if ("true".equals(annotations.get("prometheus.io/scrape"))) {
      assertThat(config.admin().host()).as("admin.host, scraped from outside the pod").isNotIn(LOOPBACK);
      assertThat(Integer.parseInt(String.valueOf(annotations.get("prometheus.io/port"))))
          .isEqualTo(config.admin().port());
      assertThat(annotations.get("prometheus.io/path")).isEqualTo("/metrics");
    }
  }

  // ---- Deployment ----

  @Test
  void atLeastTwoReplicasRunTheImageOnTheMountedConfig() {
    assertThat(((Number) map(deployment, "spec").get("replicas")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(container.get("image")).isEqualTo("portcullis:0.1.0");
    assertThat(strings(container.get("args"))).containsSubsequence("--config", "/app/conf/gateway.json");
  }

  @Test
  void theDeploymentSelectsItsOwnPods() {
    Map<String, Object> matchLabels = map(map(map(deployment, "spec"), "selector"), "matchLabels");
    assertThat(podLabels).containsAllEntriesOf(matchLabels);
  }

  @Test
  void jvmFlagsComeFromJavaToolOptionsAndAreTheDockerfiles() throws IOException {
    List<String> flags = List.of(containerEnv().get("JAVA_TOOL_OPTIONS").trim().split("\\s+"));
    assertThat(flags).contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:SharedArchiveFile=/app/portcullis.jsa");
    assertThat(flags).as("the Dockerfile's ENTRYPOINT flags").isEqualTo(dockerfileJvmFlags());
  }

  @Test
  void theReadmeRecommendsTheDockerfilesJvmFlags() throws IOException {
    String readme = Files.readString(DIR.getParent().getParent().resolve("README.md"), StandardCharsets.UTF_8);
    String marker = "Recommended JVM flags";
    assertThat(readme).contains(marker);
    // The flags are the code span that follows the sentence's colon.
    String after = readme.substring(readme.indexOf(marker));
    after = after.substring(after.indexOf(":\n") + 2);
    int open = after.indexOf('`');
    String quoted = after.substring(open + 1, after.indexOf('`', open + 1));
    List<String> readmeFlags = List.of(quoted.trim().split("\\s+"));
    // The README names the archive by its file name; the image keeps it under /app.
    List<String> imageFlags = dockerfileJvmFlags().stream()
        .map(f -> f.replace("-XX:SharedArchiveFile=/app/", "-XX:SharedArchiveFile="))
        .toList();
    assertThat(readmeFlags).as("README \"Recommended JVM flags\"").isEqualTo(imageFlags);
  }

  /** The JVM flags of the Dockerfile's ENTRYPOINT: its words between "java" and "-jar". */
  private static List<String> dockerfileJvmFlags() throws IOException {
    String dockerfile = Files.readString(DIR.getParent().getParent().resolve("Dockerfile"), StandardCharsets.UTF_8);
    String entrypoint = dockerfile.substring(dockerfile.indexOf("\nENTRYPOINT"));
    entrypoint = entrypoint.substring(entrypoint.indexOf('[') + 1, entrypoint.indexOf(']'));
    List<String> words = new ArrayList<>();
    for (String word : entrypoint.split(",")) {
      String w = word.replace("\\", "").trim();
      if (!w.isEmpty()) {
        words.add(w.substring(1, w.length() - 1));
      }
    }
    return words.subList(words.indexOf("java") + 1, words.indexOf("-jar"));
  }

  @Test
  void containerPortsIncludeTheServerAndAdminPorts() {
    assertThat(containerPorts().values()).contains(config.server().port(), config.admin().port());
  }

  @Test
  void probesUseTheHealthPathsOnAPortOfTheGateway() {
    Map<String, Object> liveness = map(container, "livenessProbe");
    Map<String, Object> readiness = map(container, "readinessProbe");

    assertThat(map(liveness, "httpGet").get("path")).isEqualTo("/healthz/live");
    assertThat(map(readiness, "httpGet").get("path")).isEqualTo("/healthz/ready");
    for (Map<String, Object> probe : probes()) {
      int port = resolvePort(map(probe, "httpGet").get("port"));
      assertThat(port).as("probe port").isIn(config.server().port(), config.admin().port());
      if (port == config.admin().port()) {
        assertThat(config.admin().host()).as("admin.host, probed by the kubelet").isNotIn(LOOPBACK);
      }
      assertThat(String.valueOf(map(probe, "httpGet").get("path"))).startsWith("/healthz/");
    }
  }

  @Test
  void readinessLeavesTheEndpointsQuicklyWhenDraining() {
    Map<String, Object> readiness = map(container, "readinessProbe");

    assertThat(((Number) readiness.get("periodSeconds")).intValue()).isBetween(1, 2);
    assertThat(((Number) readiness.get("failureThreshold")).intValue()).isEqualTo(1);
    // The pod must be out of the endpoints before the drain ends.
    int period = ((Number) readiness.get("periodSeconds")).intValue();
    int timeout = ((Number) readiness.getOrDefault("timeoutSeconds", 1)).intValue();
    assertThat((period + timeout) * 1000L).isLessThan(config.shutdown().drainMs());
  }

  @Test
  void theTerminationGracePeriodCoversDrainAndGrace() {
    long needed = ceilSeconds(config.shutdown().drainMs() + config.shutdown().graceMs()) + 5;
    assertThat(((Number) podSpec().get("terminationGracePeriodSeconds")).longValue()).isGreaterThanOrEqualTo(needed);
  }

  @Test
  void theContainerRunsNonRootWithAReadOnlyRootAndNoPrivileges() {
    Map<String, Object> pod = podSpec().containsKey("securityContext") ? map(podSpec(), "securityContext") : Map.of();
    Map<String, Object> own = map(container, "securityContext");
    Map<String, Object> effective = new HashMap<>(pod);
    effective.putAll(own); // the container's settings win over the pod's

    assertThat(effective.get("runAsNonRoot")).isEqualTo(true);
    assertThat(effective.get("runAsUser")).isEqualTo(10001);
    assertThat(own.get("allowPrivilegeEscalation")).isEqualTo(false);
    assertThat(own.get("readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(strings(map(own, "capabilities").get("drop"))).contains("ALL");
    assertThat(map(effective, "seccompProfile").get("type")).isEqualTo("RuntimeDefault");
  }

  @Test
  void resourcesHaveRequestsAndLimits() {
    Map<String, Object> resources = map(container, "resources");
    assertThat(map(resources, "requests")).containsKeys("cpu", "memory");
    assertThat(map(resources, "limits")).containsKeys("cpu", "memory");
  }

  @Test
  void theConfigMapIsMountedAsADirectoryAndTmpIsWritable() {
    Map<String, Map<String, Object>> volumes = list(podSpec(), "volumes").stream()
        .collect(Collectors.toMap(v -> String.valueOf(v.get("name")), v -> v));
    Map<String, Map<String, Object>> mounts = list(container, "volumeMounts").stream()
        .collect(Collectors.toMap(m -> String.valueOf(m.get("mountPath")), m -> m));

    Map<String, Object> confMount = mounts.get("/app/conf");
    assertThat(confMount).as("mount at /app/conf").isNotNull();
    assertThat(confMount).as("no subPath: ConfigMap updates must propagate").doesNotContainKey("subPath");
    Map<String, Object> confVolume = volumes.get(String.valueOf(confMount.get("name")));
    Map<String, Object> source = map(confVolume, "configMap");
    assertThat(source.get("name")).isEqualTo(map(configMap, "metadata").get("name"));
    if (source.containsKey("items")) {
      assertThat(list(source, "items")).anySatisfy(item -> {
        assertThat(item.get("key")).isEqualTo("gateway.json");
        assertThat(item.get("path")).isEqualTo("gateway.json");
      });
    }

    Map<String, Object> tmpMount = mounts.get("/tmp");
    assertThat(tmpMount).as("writable /tmp").isNotNull();
    assertThat(tmpMount.get("readOnly")).isNotEqualTo(true);
    assertThat(volumes.get(String.valueOf(tmpMount.get("name")))).containsKey("emptyDir");
  }

  // ---- Service ----

  @Test
  void theServiceTargetsTheServerAndAdminPortsOfThePods() {
    Map<String, Object> spec = map(service, "spec");
    assertThat(spec.getOrDefault("type", "ClusterIP")).isEqualTo("ClusterIP");
    assertThat(podLabels).containsAllEntriesOf(map(spec, "selector"));

    Map<String, Map<String, Object>> ports = list(spec, "ports").stream()
        .collect(Collectors.toMap(p -> String.valueOf(p.get("name")), p -> p));
    assertThat(ports).containsKeys("http", "admin");
    assertThat(ports.get("http").get("port")).isEqualTo(80);
    assertThat(resolvePort(ports.get("http").get("targetPort"))).isEqualTo(config.server().port());
    assertThat(ports.get("admin").get("port")).isEqualTo(9901);
    assertThat(resolvePort(ports.get("admin").get("targetPort"))).isEqualTo(config.admin().port());
  }

  // ---- the optional Redis ----

  @Test
  void theOptionalRedisIsTheOneTheConfigurationNamesAndAClusterLimitUsesIt() throws IOException {
    Map<String, Map<String, Object>> redis = documents("optional/redis.yaml");
    Map<String, Object> redisDeployment = redis.get("Deployment");
    Map<String, Object> redisService = redis.get("Service");
    assertThat(redisDeployment.get("apiVersion")).isEqualTo("apps/v1");
    assertThat(redisService.get("apiVersion")).isEqualTo("v1");

    assertThat(config.redis()).as("the ConfigMap's redis").isPresent();
    URI endpoint = URI.create(config.redis().get().endpoint());
    assertThat(endpoint.getScheme()).isEqualTo("redis");
    assertThat(endpoint.getHost()).isEqualTo(map(redisService, "metadata").get("name"));
    Map<String, Object> serviceSpec = map(redisService, "spec");
    List<Map<String, Object>> servicePorts = list(serviceSpec, "ports");
    assertThat(servicePorts).hasSize(1);
    assertThat(servicePorts.get(0).get("port")).isEqualTo(endpoint.getPort() < 0 ? 6379 : endpoint.getPort());
    assertThat(config.routes()).as("a route that shares its limit through Redis")
        .anyMatch(route -> route.rateLimit().map(limit -> limit.scope() == RateLimitScope.CLUSTER).orElse(false));

    Map<String, Object> template = map(map(redisDeployment, "spec"), "template");
    Map<String, Object> redisLabels = map(map(template, "metadata"), "labels");
    assertThat(redisLabels).containsAllEntriesOf(map(serviceSpec, "selector"));
    assertThat(redisLabels).containsAllEntriesOf(map(map(map(redisDeployment, "spec"), "selector"), "matchLabels"));
    // Neither Service picks the other's pods.
    assertThat(redisLabels).doesNotContainEntry("app.kubernetes.io/component", "gateway");
    assertThat(podLabels).doesNotContainEntry("app.kubernetes.io/component",
        map(serviceSpec, "selector").get("app.kubernetes.io/component"));

    Map<String, Object> redisSpec = map(template, "spec");
    List<Map<String, Object>> containers = list(redisSpec, "containers");
    assertThat(containers).hasSize(1);
    Map<String, Object> redisContainer = containers.get(0);
    Object target = servicePorts.get(0).get("targetPort");
    assertThat(list(redisContainer, "ports")).anySatisfy(port -> assertThat(
        target instanceof Number ? port.get("containerPort") : port.get("name")).isEqualTo(target));
    // Buckets need no persistence: none, so nothing is written to the read-only root.
    assertThat(strings(redisContainer.get("args"))).containsSubsequence("--save", "").contains("--appendonly");
    assertThat(map(redisSpec, "securityContext").get("runAsNonRoot")).isEqualTo(true);
    Map<String, Object> own = map(redisContainer, "securityContext");
    assertThat(own.get("readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(own.get("allowPrivilegeEscalation")).isEqualTo(false);
    assertThat(map(map(redisContainer, "resources"), "limits")).containsKeys("cpu", "memory");
    assertThat(redisContainer).containsKeys("readinessProbe", "livenessProbe");
  }

  // ---- HPA and PDB ----

  @Test
  void theAutoscalerScalesTheDeploymentOnCpu() {
    Map<String, Object> spec = map(hpa, "spec");
    Map<String, Object> target = map(spec, "scaleTargetRef");
    assertThat(target.get("apiVersion")).isEqualTo("apps/v1");
    assertThat(target.get("kind")).isEqualTo("Deployment");
    assertThat(target.get("name")).isEqualTo(map(deployment, "metadata").get("name"));
    assertThat(spec.get("minReplicas")).isEqualTo(2);
    assertThat(spec.get("maxReplicas")).isEqualTo(10);
    assertThat(list(spec, "metrics")).anySatisfy(metric -> {
      assertThat(metric.get("type")).isEqualTo("Resource");
      Map<String, Object> resource = map(metric, "resource");
      assertThat(resource.get("name")).isEqualTo("cpu");
      assertThat(map(resource, "target").get("type")).isEqualTo("Utilization");
      assertThat(map(resource, "target").get("averageUtilization")).isEqualTo(70);
    });
    // The Deployment's own replica count is within the autoscaler's range.
    assertThat(((Number) map(deployment, "spec").get("replicas")).intValue())
        .isBetween((Integer) spec.get("minReplicas"), (Integer) spec.get("maxReplicas"));
  }

  @Test
  void theDisruptionBudgetSelectsTheGatewayPodsAndKeepsOneUp() {
    Map<String, Object> spec = map(pdb, "spec");
    Map<String, Object> matchLabels = map(map(spec, "selector"), "matchLabels");
    assertThat(matchLabels).isNotEmpty();
    assertThat(podLabels).containsAllEntriesOf(matchLabels);
    assertThat(spec.get("minAvailable") != null || spec.get("maxUnavailable") != null).isTrue();
    if (spec.containsKey("minAvailable")) {
      assertThat(spec.get("minAvailable")).isEqualTo(1);
    } else {
      assertThat(spec.get("maxUnavailable")).isEqualTo(1);
    }
  }

  // ---- helpers ----

  private static Map<String, Object> manifest(String file, String apiVersion, String kind) throws IOException {
    String text = Files.readString(DIR.resolve(file), StandardCharsets.UTF_8);
    Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    assertThat(document).as(file).isInstanceOf(Map.class);
    Map<String, Object> manifest = cast((Map<?, ?>) document);
    assertThat(manifest.get("apiVersion")).as(file + " apiVersion").isEqualTo(apiVersion);
    assertThat(manifest.get("kind")).as(file + " kind").isEqualTo(kind);
    return manifest;
  }

  /** The documents of a multi-document manifest, by kind. */
  private static Map<String, Map<String, Object>> documents(String file) throws IOException {
    String text = Files.readString(DIR.resolve(file), StandardCharsets.UTF_8);
    Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
    List<Object> all = new ArrayList<>();
    new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text).forEach(all::add);
    for (Object document : all) {
      assertThat(document).as(file).isInstanceOf(Map.class);
      Map<String, Object> manifest = cast((Map<?, ?>) document);
      assertThat(byKind.put(String.valueOf(manifest.get("kind")), manifest)).as("one " + manifest.get("kind")).isNull();
    }
    return byKind;
  }

  private static String gatewayJson() {
    Object json = map(configMap, "data").get("gateway.json");
    assertThat(json).as("ConfigMap data gateway.json").isInstanceOf(String.class);
    return (String) json;
  }

  private static Map<String, Object> podSpec() {
    return map(map(map(deployment, "spec"), "template"), "spec");
  }

  private static List<Map<String, Object>> probes() {
    return List.of("startupProbe", "livenessProbe", "readinessProbe").stream()
        .filter(container::containsKey)
        .map(key -> map(container, key))
        .collect(Collectors.toList());
  }

  /** The container's plain {@code env} values by name. */
  private static Map<String, String> containerEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    if (container.containsKey("env")) {
      for (Map<String, Object> entry : list(container, "env")) {
        if (entry.containsKey("value")) {
          env.put(String.valueOf(entry.get("name")), String.valueOf(entry.get("value")));
        }
      }
    }
    return env;
  }

  /** containerPort by port name. */
  private static Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Map<String, Object> port : list(container, "ports")) {
      ports.put(String.valueOf(port.get("name")), ((Number) port.get("containerPort")).intValue());
    }
    return ports;
  }

  /** A port given by number or by the name of a container port. */
  private static int resolvePort(Object port) {
    if (port instanceof Number number) {
      return number.intValue();
    }
    Integer byName = containerPorts().get(String.valueOf(port));
    assertThat(byName).as("container port named " + port).isNotNull();
    return byName;
  }

  private static long ceilSeconds(long ms) {
    return (ms + 999) / 1000;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return cast((Map<?, ?>) value);
  }

  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(List.class);
    return ((List<?>) value).stream().map(item -> cast((Map<?, ?>) item)).collect(Collectors.toList());
  }

  private static List<String> strings(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return ((List<?>) value).stream().map(String::valueOf).collect(Collectors.toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
