package io.portcullis.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the gateway's admin port: Prometheus samples from {@code /metrics} and breaker states
 * from {@code /admin/upstreams}. Breaker transitions happen on timers inside the gateway with no
 * outside event to wait on, so {@link #awaitCircuit} polls (every few milliseconds, bounded).
 */
public final class AdminProbe {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private AdminProbe() {
  }

  /** GET on the admin port; the body. */
  public static String get(int adminPort, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new AssertionError("admin " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("admin " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** POST with an empty body on the admin port; the body, whatever the status. */
  public static String post(int adminPort, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("admin POST " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  public static String metrics(int adminPort) {
    return get(adminPort, "/metrics");
  }

  /**
   * The value of the sample {@code name} whose labels include every one of {@code labels}, or
   * empty when no such sample exists.
   */
  public static OptionalDouble sample(String prometheusText, String name, Map<String, String> labels) {
    for (String line : prometheusText.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = labels.entrySet().stream()
          .allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\""));
      if (all) {
        String value = line.substring(line.lastIndexOf(' ') + 1).trim();
        return OptionalDouble.of(Double.parseDouble(value));
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * The value of a counter sample of {@code /metrics} now, 0 when it does not exist (yet):
   * counters are created on first use.
   */
  public static double counter(int adminPort, String name, Map<String, String> labels) {
    return sample(metrics(adminPort), name, labels).orElse(0.0);
  }

  /**
   * Waits until the sample {@code name} with {@code labels} (0 when absent) equals
   * {@code expected}, polling every 5 ms like {@link #awaitCircuit}: some attempts are counted
   * when their upstream request is torn down, after the client already has its answer.
   */
  public static void awaitCounter(int adminPort, String name, Map<String, String> labels, double expected,
                                  long timeoutMs) {
    long start = System.nanoTime();
    double last = Double.NaN;
    while ((System.nanoTime() - start) / 1_000_000L < timeoutMs) {
      last = counter(adminPort, name, labels);
      if (last == expected) {
        return;
      }
      LockSupport.parkNanos(5_000_000L);
    }
    throw new AssertionError(name + labels + " is " + last + " after " + timeoutMs + " ms, expected " + expected);
  }

  /** The {@code /admin/upstreams} view. */
  public static JsonObject upstreams(int adminPort) {
    return new JsonObject(get(adminPort, "/admin/upstreams"));
  }

  /** The admin view of endpoint {@code index} of {@code upstream}. */
  public static JsonObject endpoint(int adminPort, String upstream, int index) {
    JsonArray endpoints = upstreams(adminPort).getJsonObject(upstream).getJsonArray("endpoints");
    return endpoints.getJsonObject(index);
  }

  /** The {@code circuit} state ("closed", "open", "half-open") of endpoint {@code index}. */
  public static String circuit(int adminPort, String upstream, int index) {
    return endpoint(adminPort, upstream, index).getString("circuit");
  }

  /**
   * Waits until endpoint {@code index} of {@code upstream} is in {@code state}, polling every
   * 5 ms; fails after {@code timeoutMs}. Returns {@link System#nanoTime()} when it was seen.
   */
  public static long awaitCircuit(int adminPort, String upstream, int index, String state, long timeoutMs) {
    long start = System.nanoTime();
    String last = null;
    while ((System.nanoTime() - start) / 1_000_000L < timeoutMs) {
      last = circuit(adminPort, upstream, index);
      if (state.equals(last)) {
        return System.nanoTime();
      }
      LockSupport.parkNanos(5_000_000L);
    }
    throw new AssertionError("circuit of " + upstream + "[" + index + "] still " + last + " after " + timeoutMs
        + " ms, expected " + state);
  }
}
