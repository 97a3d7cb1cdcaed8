package io.portcullis.aggregate;

import io.portcullis.proxy.CallPlan;

import java.util.List;

/** An aggregate route's fixed parts: its backends in configured order. */
public record AggregateRoute(String name, List<Backend> backends) {

  /** One backend: where its body goes ({@code as}), its path template, and how it is called. */
  public record Backend(String as, String pathTemplate, boolean required, CallPlan plan) {
  }

  /** Copies the list. */
  public AggregateRoute {
    backends = List.copyOf(backends);
  }

  /** The upstream names, comma-separated, for logs. */
  public String upstreamNames() {
    StringBuilder names = new StringBuilder();
    for (Backend b : backends) {
      if (names.length() > 0) {
        names.append(',');
      }
      names.append(b.plan().upstreamName());
    }
    return names.toString();
  }
}
