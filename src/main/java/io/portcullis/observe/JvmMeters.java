package io.portcullis.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.List;

/**
 * The JVM meters of README "Metrics" ({@code jvm_*}, {@code process_*}, {@code system_*}): class
 * loading, the JIT, memory, threads, processor and uptime as Micrometer's binders give them, and
 * the garbage collector's as {@link JvmGcMeters} reads them at each scrape (Micrometer's GC binders
 * listen for a notification per collection instead). Bound by the gateway itself after start-up
 * (at the latest when {@code /metrics} is first scraped), so that building them (the platform
 * MXBeans) is not on the way to the first request (docs/performance.md "Start-up and memory,
 * second pass" and "Start-up, third pass"). Every meter is read when scraped; none listens to the
 * JVM, so there is nothing to stop.
 */
public final class JvmMeters {

  private JvmMeters() {
  }

  /** Binds every JVM meter to {@code registry}. */
  public static void bind(MeterRegistry registry) {
    List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmCompilationMetrics(), new JvmGcMeters(),
        new JvmInfoMetrics(), new JvmMemoryMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
        new UptimeMetrics());
    for (MeterBinder binder : binders) {
      binder.bindTo(registry);
    }
  }
}
