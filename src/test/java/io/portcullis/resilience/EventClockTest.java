package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EventClock}: one reading of its source per event and thread, a fresh one outside. */
class EventClockTest {

  /** A source that advances by 1 on each reading and counts them. */
  private static final class Source implements Ticker {
    private final AtomicLong readings = new AtomicLong();
    private final long base;

    Source(long base) {
      this.base = base;
    }

    @Override
    public long nanos() {
      return base + readings.incrementAndGet();
    }
  }

  private final Source source = new Source(1_000);
  private final EventClock clock = new EventClock(source);

  @AfterEach
  void noEventLeftOpen() {
    assertThatThrownBy(EventClock::close).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void outsideAnEventEveryReadingIsTheSources() {
    assertThat(clock.nanos()).isEqualTo(1_001);
    assertThat(clock.nanos()).isEqualTo(1_002);
    assertThat(source.readings).hasValue(2);
  }

  @Test
  void insideAnEventTheFirstReadingIsKeptUntilItCloses() {
    EventClock.open();
    try {
      assertThat(clock.nanos()).isEqualTo(1_001);
      assertThat(clock.nanos()).isEqualTo(1_001);
      assertThat(clock.nanos()).isEqualTo(1_001);
    } finally {
      EventClock.close();
    }
    assertThat(source.readings).hasValue(1);
    assertThat(clock.nanos()).as("after the event").isEqualTo(1_002);
  }

  @Test
  void anEventThatAsksForNoTimeReadsNoClock() {
    EventClock.open();
    EventClock.close();
    assertThat(source.readings).hasValue(0);
  }

  @Test
  void eventsNestAndTheOutermostCloseEndsThem() {
    EventClock.open();
    try {
      long outer = clock.nanos();
      EventClock.open();
      try {
        assertThat(clock.nanos()).isEqualTo(outer);
      } finally {
        EventClock.close();
      }
      assertThat(clock.nanos()).as("still the outer event").isEqualTo(outer);
    } finally {
      EventClock.close();
    }
    assertThat(clock.nanos()).isEqualTo(1_002);
  }

  @Test
  void eachEventHasItsOwnReading() {
    long first;
    EventClock.open();
    try {
      first = clock.nanos();
    } finally {
      EventClock.close();
    }
    EventClock.open();
    try {
      assertThat(clock.nanos()).isEqualTo(first + 1);
    } finally {
      EventClock.close();
    }
  }

  @Test
  void aClockOverAnotherSourceReadsItsOwnInsideTheSameEvent() {
    Source other = new Source(5_000);
    EventClock otherClock = new EventClock(other);
    EventClock.open();
    try {
      assertThat(clock.nanos()).isEqualTo(1_001);
      assertThat(otherClock.nanos()).isEqualTo(5_001);
      assertThat(otherClock.nanos()).isEqualTo(5_002);
      assertThat(clock.nanos()).isEqualTo(1_001);
      assertThat(new EventClock(source).nanos()).as("another clock over the same source shares it").isEqualTo(1_001);
    } finally {
      EventClock.close();
    }
  }

  @Test
  void anEventIsTheOpeningThreadsOnly() throws Exception {
    EventClock.open();
    try {
      assertThat(clock.nanos()).isEqualTo(1_001);
      long[] seen = new long[2];
      Thread other = new Thread(() -> {
        seen[0] = clock.nanos();
        seen[1] = clock.nanos();
      });
      other.start();
      other.join();
      assertThat(seen).containsExactly(1_002, 1_003);
      assertThat(clock.nanos()).isEqualTo(1_001);
    } finally {
      EventClock.close();
    }
  }

  @Test
  void aFreshReadingIsTheSourcesEvenInsideAnEvent() {
    EventClock.open();
    try {
      assertThat(clock.nanos()).isEqualTo(1_001);
      assertThat(clock.fresh()).isEqualTo(1_002);
      assertThat(clock.nanos()).as("the event's reading is unchanged").isEqualTo(1_001);
    } finally {
      EventClock.close();
    }
  }

  @Test
  void overKeepsAnEventClockAndWrapsAnyOtherTicker() {
    assertThat(EventClock.over(clock)).isSameAs(clock);
    EventClock wrapped = EventClock.over(source);
    assertThat(wrapped).isNotSameAs(clock);
    assertThat(wrapped.nanos()).isEqualTo(1_001);
  }

  @Test
  void aCloseWithoutAnOpenIsAnError() {
    assertThatThrownBy(EventClock::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without open()");
  }
}
