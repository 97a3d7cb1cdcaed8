package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MockClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link CoarseClock}: the wall time moves only when ticked; the monotonic time is always read. */
class CoarseClockTest {

  @Test
  void wallTimeIsTheSourcesAsOfTheLastTick() {
    MockClock source = new MockClock();
    CoarseClock clock = new CoarseClock(source);
    long start = source.wallTime();

    source.add(250, TimeUnit.MILLISECONDS);
    assertThat(clock.wallTime()).as("not ticked yet").isEqualTo(start);

    clock.tick();
    assertThat(clock.wallTime()).isEqualTo(start + 250);
  }

  @Test
  void monotonicTimeIsReadFromTheSourceEachTime() {
    MockClock source = new MockClock();
    CoarseClock clock = new CoarseClock(source);
    long before = clock.monotonicTime();

    source.add(3, TimeUnit.SECONDS);
    assertThat(clock.monotonicTime() - before).isEqualTo(TimeUnit.SECONDS.toNanos(3));
  }
}
