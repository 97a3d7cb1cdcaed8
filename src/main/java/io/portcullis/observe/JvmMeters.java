package io.portcullis.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The JVM meters of README "Metrics" ({@code jvm_*}, {@code process_*}, {@code system_*}): the
 * same binders Vert.x's own JVM metrics option binds, bound by the gateway itself after start-up
 * (at the latest when {@code /metrics} is first scraped), so that building them (the platform
 * MXBeans, GC notification listeners) is not on the way to the first request
 * (docs/performance.md "Start-up and memory, second pass" and "Start-up, third pass").
 * {@link #close()} removes the GC and heap-pressure listeners.
 */
public final class JvmMeters implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JvmMeters.class);

  private final List<MeterBinder> binders;

  private JvmMeters(List<MeterBinder> binders) {
    this.binders = binders;
  }

  /** Binds every JVM meter to {@code registry}. */
  public static JvmMeters bind(MeterRegistry registry) {
    List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmCompilationMetrics(), new JvmGcMetrics(),
        new JvmHeapPressureMetrics(), new JvmInfoMetrics(), new JvmMemoryMetrics(), new JvmThreadMetrics(),
        new ProcessorMetrics(), new UptimeMetrics());
    for (MeterBinder binder : binders) {
      binder.bindTo(registry);
    }
    return new JvmMeters(binders);
  }

  /** Stops the binders that listen to the JVM (GC and heap pressure); their meters stay registered. */
  @Override
  public void close() {
    for (MeterBinder binder : binders) {
      if (binder instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("closing the JVM meter binder {} failed", binder.getClass().getSimpleName(), e);
        }
      }
    }
  }
}
