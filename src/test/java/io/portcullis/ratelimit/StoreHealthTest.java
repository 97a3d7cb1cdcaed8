package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.portcullis.ratelimit.RateStoreException.Reason;
import io.portcullis.testkit.LogCapture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StoreHealthTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
  private final StoreHealth health = new StoreHealth("redis://:s3cret@redis.internal:6379/0", now::get);

  @Test
  void manyFallbacksInOneOutageLogOneWarning() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      for (int i = 0; i < 100; i++) {
        health.fellBack(failure(i % 2 == 0 ? Reason.TIMEOUT : Reason.UNAVAILABLE));
        advanceMillis(7);
      }
      assertThat(warnings(log)).hasSize(1);
      assertThat(warnings(log).get(0).getFormattedMessage())
          .contains("redis://***@redis.internal:6379/0", "TIMEOUT").doesNotContain("s3cret");
    }
    assertThat(health.down()).isTrue();
    assertThat(health.fallbacks()).isEqualTo(100);
    assertThat(health.fallbacks(Reason.TIMEOUT)).isEqualTo(50);
    assertThat(health.fallbacks(Reason.UNAVAILABLE)).isEqualTo(50);
    assertThat(health.fallbacks(Reason.BAD_REPLY)).isZero();
    assertThat(health.outages()).isEqualTo(1);
    assertThat(health.lastFailure().reason()).isEqualTo(Reason.UNAVAILABLE);
  }

  @Test
  void anOutageEndsWithAnAnswerAfterAQuietSecondAndTheNextOneWarnsAgain() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      health.fellBack(failure(Reason.TIMEOUT));
      advanceMillis(999);
      health.answered();
      assertThat(health.down()).as("an answer within a second of a fallback").isTrue();
      advanceMillis(1);
      health.answered();
      assertThat(health.down()).isFalse();
      health.answered();
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.INFO))
          .singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("after 1000 ms", "1 decision(s)"));

      health.fellBack(failure(Reason.ERROR_REPLY));
      assertThat(warnings(log)).hasSize(2);
    }
    assertThat(health.outages()).isEqualTo(2);
  }

  @Test
  void answersRightAfterAFallbackThenAQuietSpellEndTheOutageSoTheNextFallbackWarnsAgain() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      health.fellBack(failure(Reason.TIMEOUT));
      advanceMillis(5);
      health.answered();
      advanceMillis(5);
      health.answered();
      assertThat(health.down()).as("answers within a second of the fallback").isTrue();
      advanceMillis(4_000); // no request at all

      health.fellBack(failure(Reason.UNAVAILABLE));

      assertThat(warnings(log)).hasSize(2);
      assertThat(warnings(log).get(1).getFormattedMessage()).contains("UNAVAILABLE");
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.INFO)).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("decides again"));
    }
    assertThat(health.outages()).isEqualTo(2);
    assertThat(health.down()).isTrue();
  }

  @Test
  void aFallbackASecondAfterTheLastWithNoAnswerBetweenIsTheSameOutage() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      health.fellBack(failure(Reason.TIMEOUT));
      advanceMillis(3_000);
      health.fellBack(failure(Reason.TIMEOUT));
      assertThat(warnings(log)).hasSize(1);
    }
    assertThat(health.outages()).isEqualTo(1);
  }

  @Test
  void answersAndFallbacksMixedTogetherAreOneOutage() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      for (int i = 0; i < 50; i++) {
        health.fellBack(failure(Reason.TIMEOUT));
        advanceMillis(100);
        health.answered();
        advanceMillis(100);
      }
      assertThat(health.down()).isTrue();
      advanceMillis(1_000);
      health.answered();
      assertThat(health.down()).isFalse();
      assertThat(warnings(log)).hasSize(1);
    }
  }

  @Test
  void answersWhileUpLogNothing() {
    try (LogCapture log = LogCapture.of(StoreHealth.class.getName())) {
      for (int i = 0; i < 10; i++) {
        health.answered();
      }
      assertThat(log.events()).isEmpty();
    }
    assertThat(health.down()).isFalse();
    assertThat(health.lastFailure()).isNull();
  }

  @Test
  void endpointsAreLoggedWithoutTheirPassword() {
    assertThat(StoreHealth.redact("redis://:pw@h:1/2")).isEqualTo("redis://***@h:1/2");
    assertThat(StoreHealth.redact("rediss://user:pw@h")).isEqualTo("rediss://***@h");
    assertThat(StoreHealth.redact("redis://h:6379")).isEqualTo("redis://h:6379");
  }

  private void advanceMillis(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  private static RateStoreException failure(Reason reason) {
    return new RateStoreException(reason, "test " + reason, null);
  }

  private static List<ILoggingEvent> warnings(LogCapture log) {
    return log.events().stream().filter(e -> e.getLevel() == Level.WARN).toList();
  }
}
