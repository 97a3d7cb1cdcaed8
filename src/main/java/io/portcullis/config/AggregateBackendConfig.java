package io.portcullis.config;

import java.util.Objects;

/**
 * One branch of a fan-out route (an entry of a route's JSON {@code aggregate} array).
 *
 * @param upstream the upstream called, which must exist; required
 * @param path the path requested upstream, absolute; each {@code :name} in it is replaced by the
 *     route's path parameter of that name; required
 * @param as the key of this branch's response in the aggregated body, non-empty and unique within
 *     the route; required
 * @param required whether the whole request fails when this branch fails; default {@code true}
 */
public record AggregateBackendConfig(String upstream, String path, String as, boolean required) {

  /** Default {@link #required()}. */
  public static final boolean DEFAULT_REQUIRED = true;

  /** Checks that no component is null. */
  public AggregateBackendConfig {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(as, "as");
  }
}
