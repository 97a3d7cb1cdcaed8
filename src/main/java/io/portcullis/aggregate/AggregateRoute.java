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

  /** The upstream names, each once, in the order of their first backend, comma-separated, for errors and logs. */
  public String upstreamNames() {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < backends.size(); i++) {
      String name = backends.get(i).plan().upstreamName();
      boolean seen = false;
      for (int j = 0; j < i && !seen; j++) {
        seen = backends.get(j).plan().upstreamName().equals(name);
      }
      if (!seen) {
        if (names.length() > 0) {
          names.append(',');
        }
        names.append(name);
      }
    }
    return names.toString();
  }
}
