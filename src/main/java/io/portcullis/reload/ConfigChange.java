package io.portcullis.reload;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RouteConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload changes: routes and upstreams added, removed and changed (by name), the other
 * sections that differ, and the listener fields ({@code server.*}, {@code admin.*}) that differ
 * but are bound at start, so need a restart. {@link #effective()} is the configuration to apply:
 * the new one with the running {@code server} and {@code admin} sections. A pure value.
 *
 * @param effective the configuration to run: the new file's, listeners as they are
 * @param routesAdded names of routes only in the new file, in its order
 * @param routesRemoved names of routes only in the running configuration
 * @param routesChanged names of routes in both whose definition or position differs
 * @param upstreamsAdded names of upstreams only in the new file
 * @param upstreamsRemoved names of upstreams only in the running configuration
 * @param upstreamsChanged names of upstreams in both whose settings differ
 * @param sectionsChanged other top-level sections that differ ({@code deadline}, {@code accessLog},
 *     {@code tracing}, {@code reload}, {@code shutdown}, {@code redis}, {@code dns})
 * @param restartRequired one entry per listener field that differs, {@code server.port: 8080 -> 8081}
 */
public record ConfigChange(GatewayConfig effective, List<String> routesAdded, List<String> routesRemoved,
                           List<String> routesChanged, List<String> upstreamsAdded, List<String> upstreamsRemoved,
                           List<String> upstreamsChanged, List<String> sectionsChanged, List<String> restartRequired) {

  /** Listener sections: bound when the process starts. */
  private static final List<String> BOUND_AT_START = List.of("server", "admin");
  /** Sections that follow a reload, beside routes and upstreams. */
  private static final List<String> RELOADABLE =
      List.of("shutdown", "deadline", "accessLog", "tracing", "reload", "redis", "dns");

  /** Copies the lists into unmodifiable ones. */
  public ConfigChange {
    Objects.requireNonNull(effective, "effective");
    routesAdded = List.copyOf(routesAdded);
    routesRemoved = List.copyOf(routesRemoved);
    routesChanged = List.copyOf(routesChanged);
    upstreamsAdded = List.copyOf(upstreamsAdded);
    upstreamsRemoved = List.copyOf(upstreamsRemoved);
    upstreamsChanged = List.copyOf(upstreamsChanged);
    sectionsChanged = List.copyOf(sectionsChanged);
    restartRequired = List.copyOf(restartRequired);
  }

  /** The change from {@code running} to {@code loaded}. */
  public static ConfigChange between(GatewayConfig running, GatewayConfig loaded) {
    GatewayConfig effective = new GatewayConfig(running.server(), running.admin(), loaded.shutdown(),
        loaded.deadline(), loaded.accessLog(), loaded.upstreams(), loaded.routes(), loaded.tracing(), loaded.reload(),
        loaded.redis(), loaded.dns());
    JsonObject before = ConfigLoader.toJson(running);
    JsonObject after = ConfigLoader.toJson(loaded);

    List<String> restart = new ArrayList<>();
    for (String section : BOUND_AT_START) {
      JsonObject a = before.getJsonObject(section, new JsonObject());
      JsonObject b = after.getJsonObject(section, new JsonObject());
      Set<String> fields = new LinkedHashSet<>(a.fieldNames());
      fields.addAll(b.fieldNames());
      for (String field : fields) {
        Object was = a.getValue(field);
        Object now = b.getValue(field);
        if (!Objects.equals(was, now)) {
          restart.add(section + "." + field + ": " + show(was) + " -> " + show(now));
        }
      }
    }
    List<String> sections = new ArrayList<>();
    for (String section : RELOADABLE) {
      if (!Objects.equals(before.getValue(section), after.getValue(section))) {
        sections.add(section);
      }
    }

    List<String> upAdded = new ArrayList<>();
    List<String> upChanged = new ArrayList<>();
    loaded.upstreams().forEach((name, u) -> {
      if (!running.upstreams().containsKey(name)) {
        upAdded.add(name);
      } else if (!running.upstreams().get(name).equals(u)) {
        upChanged.add(name);
      }
    });
    List<String> upRemoved = new ArrayList<>();
    running.upstreams().keySet().forEach(name -> {
      if (!loaded.upstreams().containsKey(name)) {
        upRemoved.add(name);
      }
    });

    Map<String, Integer> oldIndex = new LinkedHashMap<>();
    for (int i = 0; i < running.routes().size(); i++) {
      oldIndex.put(running.routes().get(i).name(), i);
    }
    Set<String> newNames = new LinkedHashSet<>();
    List<String> rAdded = new ArrayList<>();
    List<String> rChanged = new ArrayList<>();
    for (int i = 0; i < loaded.routes().size(); i++) {
      RouteConfig route = loaded.routes().get(i);
      newNames.add(route.name());
      Integer at = oldIndex.get(route.name());
      if (at == null) {
        rAdded.add(route.name());
      } else if (at != i || !running.routes().get(at).equals(route)
          || running.timeoutFor(route) != loaded.timeoutFor(route)) {
        // Position matters: routes match in order.
        rChanged.add(route.name());
      }
    }
    List<String> rRemoved = new ArrayList<>();
    for (String name : oldIndex.keySet()) {
      if (!newNames.contains(name)) {
        rRemoved.add(name);
      }
    }
    return new ConfigChange(effective, rAdded, rRemoved, rChanged, upAdded, upRemoved, upChanged, sections, restart);
  }

  private static String show(Object value) {
    if (value == null) {
      return "(unset)";
    }
    return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
  }

  /** Whether the effective configuration equals the running one (restart-only changes aside). */
  public boolean empty() {
    return routesAdded.isEmpty() && routesRemoved.isEmpty() && routesChanged.isEmpty() && upstreamsAdded.isEmpty()
        && upstreamsRemoved.isEmpty() && upstreamsChanged.isEmpty() && sectionsChanged.isEmpty();
  }

  /** A short JSON summary: {@code routes} and {@code upstreams} (added, removed, changed), {@code settings}, {@code restartRequired}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("routes", new JsonObject().put("added", new JsonArray(routesAdded))
            .put("removed", new JsonArray(routesRemoved)).put("changed", new JsonArray(routesChanged)))
        .put("upstreams", new JsonObject().put("added", new JsonArray(upstreamsAdded))
            .put("removed", new JsonArray(upstreamsRemoved)).put("changed", new JsonArray(upstreamsChanged)))
        .put("settings", new JsonArray(sectionsChanged))
        .put("restartRequired", new JsonArray(restartRequired));
  }

  /** One line for the log: {@code routes +1 -0 ~2, upstreams +0 -0 ~1, settings [deadline]}. */
  public String summary() {
    return "routes +" + routesAdded.size() + " -" + routesRemoved.size() + " ~" + routesChanged.size()
        + ", upstreams +" + upstreamsAdded.size() + " -" + upstreamsRemoved.size() + " ~" + upstreamsChanged.size()
        + (sectionsChanged.isEmpty() ? "" : ", settings " + sectionsChanged);
  }
}
