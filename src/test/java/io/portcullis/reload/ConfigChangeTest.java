package io.portcullis.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ConfigException;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What a reload changes, computed from two configurations: a pure function, tested case by case. */
class ConfigChangeTest {

  private static final JsonObject BASE = new JsonObject()
      .put("server", new JsonObject().put("port", 8080))
      .put("upstreams", new JsonObject()
          .put("users", upstream(9001))
          .put("orders", upstream(9002)))
      .put("routes", new JsonArray()
          .add(route("users", "/users", "users"))
          .add(route("orders", "/orders", "orders")));

  @Test
  void identicalConfigurationsMakeAnEmptyChange() throws Exception {
    ConfigChange change = ConfigChange.between(parse(BASE), parse(BASE.copy()));
    assertThat(change.empty()).isTrue();
    assertThat(change.restartRequired()).isEmpty();
    assertThat(change.effective()).isEqualTo(parse(BASE));
  }

  @Test
  void namesRoutesAndUpstreamsAddedRemovedAndChanged() throws Exception {
    JsonObject next = BASE.copy();
    next.getJsonObject("upstreams").remove("orders");
    next.getJsonObject("upstreams").put("users", upstream(9001).put("connectTimeoutMs", 250));
    next.getJsonObject("upstreams").put("billing", upstream(9003));
    next.put("routes", new JsonArray()
        .add(route("users", "/users", "users"))
        .add(route("billing", "/billing", "billing")));

    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));

    assertThat(change.empty()).isFalse();
    assertThat(change.routesAdded()).containsExactly("billing");
    assertThat(change.routesRemoved()).containsExactly("orders");
    assertThat(change.routesChanged()).as("same definition, same position").isEmpty();
    assertThat(change.upstreamsAdded()).containsExactly("billing");
    assertThat(change.upstreamsRemoved()).containsExactly("orders");
    assertThat(change.upstreamsChanged()).containsExactly("users");
    assertThat(change.sectionsChanged()).isEmpty();
  }

  @Test
  void aRouteThatMovesChangesBecauseRoutesMatchInOrder() throws Exception {
    JsonObject next = BASE.copy();
    next.put("routes", new JsonArray().add(route("orders", "/orders", "orders")).add(route("users", "/users", "users")));
    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));
    assertThat(change.routesChanged()).containsExactly("orders", "users");
  }

  @Test
  void listenerFieldsNeedARestartAndKeepTheirRunningValues() throws Exception {
    JsonObject next = BASE.copy();
    next.put("server", new JsonObject().put("port", 8081).put("maxBodyBytes", 1024));
    next.put("admin", new JsonObject().put("host", "0.0.0.0"));
    next.put("deadline", new JsonObject().put("defaultMs", 5000));

    GatewayConfig running = parse(BASE);
    ConfigChange change = ConfigChange.between(running, parse(next));

    assertThat(change.restartRequired()).containsExactly(
        "server.port: 8080 -> 8081",
        "server.maxBodyBytes: 10485760 -> 1024",
        "admin.host: \"127.0.0.1\" -> \"0.0.0.0\"");
    assertThat(change.effective().server()).isEqualTo(running.server());
    assertThat(change.effective().admin()).isEqualTo(running.admin());
    assertThat(change.effective().deadline().defaultMs()).isEqualTo(5000);
    assertThat(change.sectionsChanged()).containsExactly("deadline");
    assertThat(change.routesChanged()).as("their effective timeout follows deadline.defaultMs")
        .containsExactly("users", "orders");
  }

  @Test
  void onlyAListenerChangeLeavesNothingToApply() throws Exception {
    JsonObject next = BASE.copy();
    next.put("server", new JsonObject().put("port", 9090));
    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));
    assertThat(change.empty()).isTrue();
    assertThat(change.restartRequired()).containsExactly("server.port: 8080 -> 9090");
  }

  @Test
  void summarizesAsJsonAndAsOneLogLine() throws Exception {
    JsonObject next = BASE.copy();
    next.getJsonArray("routes").add(route("more", "/more", "users"));
    next.put("accessLog", new JsonObject().put("enabled", false));
    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));

    JsonObject json = change.toJson();
    assertThat(json.getJsonObject("routes").getJsonArray("added")).containsExactly("more");
    assertThat(json.getJsonObject("upstreams").getJsonArray("changed")).isEmpty();
    assertThat(json.getJsonArray("settings")).containsExactly("accessLog");
    assertThat(json.getJsonArray("restartRequired")).isEmpty();
    assertThat(change.summary()).isEqualTo("routes +1 -0 ~0, upstreams +0 -0 ~0, settings [accessLog]");
  }

  private static GatewayConfig parse(JsonObject json) throws ConfigException {
    return ConfigFiles.parse(json.encode());
  }

  private static JsonObject upstream(int port) {
    return new JsonObject().put("endpoints", new JsonArray().add("http://127.0.0.1:" + port));
  }

  private static JsonObject route(String name, String prefix, String upstream) {
    return new JsonObject().put("name", name).put("match", new JsonObject().put("pathPrefix", prefix))
        .put("upstream", upstream);
  }
}
