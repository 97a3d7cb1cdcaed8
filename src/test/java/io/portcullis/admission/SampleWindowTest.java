package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;

/** The window's latency statistic: the mean of its faster half. */
class SampleWindowTest {

  private static final long MS = 1_000_000L;

  private static SampleWindow window(int count, long latencyMs, int otherCount, long otherMs) {
    SampleWindow w = new SampleWindow();
    for (int i = 0; i < count; i++) {
      w.success(latencyMs * MS, 1);
    }
    for (int i = 0; i < otherCount; i++) {
      w.success(otherMs * MS, 1);
    }
    return w;
  }

  @Test
  void aHeavyTailDoesNotMoveIt() {
    WindowSummary s = window(98, 5, 2, 1000).summary();

    assertThat((double) s.latencyNanos()).isCloseTo(5 * MS, withinPercentage(6));
    assertThat(s.successes()).isEqualTo(100);
  }

  @Test
  void aFewCheapRequestsMoveItOnlyByTheirShare() {
    // 5 of 100 at 1 ms, the rest at 40 ms: the faster half is 5 cheap and 45 normal ones.
    WindowSummary s = window(5, 1, 95, 40).summary();

    assertThat((double) s.latencyNanos()).isCloseTo((5 * 1 + 45 * 40) / 50.0 * MS, withinPercentage(6));
  }

  @Test
  void aStandingQueueMovesItByTheQueueingDelay() {
    WindowSummary unloaded = window(100, 40, 0, 0).summary();
    WindowSummary queued = window(100, 90, 0, 0).summary();

    assertThat((double) queued.latencyNanos() - unloaded.latencyNanos()).isCloseTo(50.0 * MS, withinPercentage(10));
  }

  @Test
  void reportsItsFastestSuccessBesideTheMeanOfItsFasterHalf() {
    // A late event loop delayed most heads by 30 ms; two came back at once.
    WindowSummary s = window(2, 1, 98, 31).summary();

    assertThat((double) s.fastestNanos()).isCloseTo(1 * MS, withinPercentage(6));
    assertThat((double) s.latencyNanos()).isCloseTo((2 * 1 + 48 * 31) / 50.0 * MS, withinPercentage(6));
  }

  @Test
  void countsDropsAndTheMostInFlightAndStartsEmptyAfterAReset() {
    SampleWindow w = new SampleWindow();
    w.success(40 * MS, 7);
    w.drop(12);
    w.earlier(9);

    WindowSummary s = w.summary();
    assertThat(s.successes()).isEqualTo(1);
    assertThat(s.drops()).isEqualTo(1);
    assertThat(s.maxInFlight()).isEqualTo(12);
    assertThat(w.completions()).isEqualTo(2);

    w.reset();
    assertThat(w.summary()).isEqualTo(new WindowSummary(WindowSummary.NO_SAMPLE, 0, 0, 0));
  }
}
