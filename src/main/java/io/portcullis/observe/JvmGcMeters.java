package io.portcullis.observe;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The garbage collector's meters, read from the JVM's collector and memory-pool beans when
 * {@code /metrics} is scraped:
 * <ul>
 *   <li>{@code jvm_gc_pause_seconds{gc}} ({@code _count}, {@code _sum}): each collector's
 *       collections and the time they took, as the collector counts them;</li>
 *   <li>{@code jvm_memory_used_after_gc_bytes{area="heap",id}}: what each heap pool held after its
 *       last collection (the live data, for the old generation).</li>
 * </ul>
 * Nothing listens for the JVM's per-collection notifications. A listener makes the JVM build a
 * notification, with every pool's usage before and after, on a thread of its own after each
 * collection: at tens of young collections a second under load that is CPU taken from the event
 * loops' cores, and the first notifications make the JIT compile code alongside the request path
 * (docs/performance.md, "GC notifications").
 */
final class JvmGcMeters implements MeterBinder {

  private final List<GarbageCollectorMXBean> collectors;
  private final List<MemoryPoolMXBean> pools;

  JvmGcMeters() {
    this(ManagementFactory.getGarbageCollectorMXBeans(), ManagementFactory.getMemoryPoolMXBeans());
  }

  JvmGcMeters(List<GarbageCollectorMXBean> collectors, List<MemoryPoolMXBean> pools) {
    this.collectors = List.copyOf(collectors);
    this.pools = List.copyOf(pools);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (GarbageCollectorMXBean collector : collectors) {
      FunctionTimer.builder("jvm.gc.pause", collector, JvmGcMeters::collections, JvmGcMeters::collectionMillis,
              TimeUnit.MILLISECONDS)
          .tag("gc", collector.getName())
          .description("Collections by this collector and the time they took")
          .register(registry);
    }
    for (MemoryPoolMXBean pool : pools) {
      if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
        Gauge.builder("jvm.memory.used.after.gc", pool, JvmGcMeters::usedAfterCollection)
            .tags("area", "heap", "id", pool.getName())
            .baseUnit(BaseUnits.BYTES)
            .description("What the pool held after its last collection")
            .register(registry);
      }
    }
  }

  /** The collector's count; 0 where it keeps none (the bean answers -1). */
  static long collections(GarbageCollectorMXBean collector) {
    return Math.max(0, collector.getCollectionCount());
  }

  /** The collector's accumulated time in milliseconds; 0 where it keeps none (-1). */
  static double collectionMillis(GarbageCollectorMXBean collector) {
    return Math.max(0, collector.getCollectionTime());
  }

  /** The pool's usage after its last collection; not a number before the first, or if the pool is gone. */
  static double usedAfterCollection(MemoryPoolMXBean pool) {
    MemoryUsage usage = pool.isValid() ? pool.getCollectionUsage() : null;
    return usage == null ? Double.NaN : usage.getUsed();
  }
}
