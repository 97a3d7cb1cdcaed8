package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class JvmGcMetersTest {

  /** A collector whose figures the test sets. */
  private static final class FakeCollector implements GarbageCollectorMXBean {
    private final String name;
    long count;
    long timeMs;

    FakeCollector(String name, long count, long timeMs) {
      this.name = name;
      this.count = count;
      this.timeMs = timeMs;
    }

    @Override
    public long getCollectionCount() {
      return count;
    }

    @Override
    public long getCollectionTime() {
      return timeMs;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isValid() {
      return true;
    }

    @Override
    public String[] getMemoryPoolNames() {
      return new String[0];
    }

    @Override
    public ObjectName getObjectName() {
      return null;
    }
  }

  @Test
  void eachCollectorsPauseTimerReadsItsCountAndTimeAtEachScrape() {
    FakeCollector young = new FakeCollector("Copy", 3, 12);
    FakeCollector old = new FakeCollector("MarkSweepCompact", 1, 250);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new JvmGcMeters(List.of(young, old), List.of()).bindTo(registry);

    FunctionTimer youngTimer = registry.get("jvm.gc.pause").tag("gc", "Copy").functionTimer();
    FunctionTimer oldTimer = registry.get("jvm.gc.pause").tag("gc", "MarkSweepCompact").functionTimer();
    assertThat(youngTimer.count()).isEqualTo(3.0);
    assertThat(youngTimer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12.0);
    assertThat(oldTimer.count()).isEqualTo(1.0);
    assertThat(oldTimer.totalTime(TimeUnit.SECONDS)).isEqualTo(0.25);

    young.count = 40;
    young.timeMs = 95;
    assertThat(youngTimer.count()).as("read again, not kept from the first read").isEqualTo(40.0);
    assertThat(youngTimer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(95.0);
  }

  @Test
  void aCollectorThatKeepsNoFiguresCountsZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new JvmGcMeters(List.of(new FakeCollector("undefined", -1, -1)), List.of()).bindTo(registry);

    FunctionTimer timer = registry.get("jvm.gc.pause").tag("gc", "undefined").functionTimer();
    assertThat(timer.count()).isEqualTo(0.0);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(0.0);
  }

  @Test
  void thisJvmsCollectionsAreCountedAndEveryHeapPoolShowsWhatItHeldAfterOne() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new JvmGcMeters().bindTo(registry);
    System.gc();

    double collections = registry.get("jvm.gc.pause").functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
    assertThat(collections).as("collections after System.gc()").isGreaterThanOrEqualTo(1.0);
    List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
        .map(MemoryPoolMXBean::getName).toList();
    assertThat(heapPools).isNotEmpty();
    for (String pool : heapPools) {
      Gauge after = registry.get("jvm.memory.used.after.gc").tags("area", "heap", "id", pool).gauge();
      assertThat(after.value()).as("%s after a full collection", pool).isGreaterThanOrEqualTo(0.0);
    }
    assertThat(registry.find("jvm.memory.used.after.gc").tag("area", "nonheap").gauges()).isEmpty();
  }
}
