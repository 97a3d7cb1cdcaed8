package io.portcullis.reload;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * The result of one reload: applied (with what changed), unchanged (a no-op success), or failed
 * (with every problem, each {@code <json path>: <problem>}; the running configuration stays).
 *
 * @param result what happened
 * @param trigger what asked for it: {@code SIGHUP}, {@code admin} or {@code file change}
 * @param change what changed; null when the reload failed
 * @param errors every problem when it failed, else empty
 */
public record ReloadOutcome(Result result, String trigger, ConfigChange change, List<String> errors) {

  /** What a reload did. */
  public enum Result {
    /** The new configuration runs. */
    APPLIED,
    /** The file describes the running configuration: nothing to do (a success). */
    UNCHANGED,
    /** The file could not be read or is invalid: the running configuration stays. */
    FAILED;

    /** Lower-case name, as in the JSON body. */
    public String jsonName() {
      return name().toLowerCase();
    }
  }

  /** Checks for nulls; copies {@code errors}. */
  public ReloadOutcome {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(trigger, "trigger");
    errors = List.copyOf(errors);
  }

  /** A failed reload. */
  public static ReloadOutcome failed(String trigger, List<String> errors) {
    return new ReloadOutcome(Result.FAILED, trigger, null, errors);
  }

  /** Whether the reload succeeded (applied or unchanged). */
  public boolean succeeded() {
    return result != Result.FAILED;
  }

  /**
   * The JSON body of {@code POST /admin/reload}: {@code result}, and either the change summary
   * ({@link ConfigChange#toJson()}) or {@code errors}.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("result", result.jsonName());
    if (change != null) {
      json.mergeIn(change.toJson());
    }
    if (!errors.isEmpty()) {
      json.put("errors", new JsonArray(errors));
    }
    return json;
  }
}
