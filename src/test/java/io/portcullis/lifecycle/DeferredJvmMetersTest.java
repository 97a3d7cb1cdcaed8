package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.FakeScheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When the JVM meters are bound: after the delay, or at once when a scrape asks first; never after close. */
class DeferredJvmMetersTest {

  private static final String A_JVM_METER = "jvm.memory.used";

  private Vertx vertx;
  private SimpleMeterRegistry registry;
  private FakeScheduler scheduler;
  private DeferredJvmMeters meters;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new SimpleMeterRegistry();
    scheduler = new FakeScheduler();
    meters = new DeferredJvmMeters(vertx, registry);
  }

  @AfterEach
  void tearDown() {
    meters.close();
    Await.result(vertx.close());
  }

  @Test
  void theMetersAreBoundWhenTheDelayPassesNotBefore() {
    meters.bindAfter(scheduler, DeferredJvmMeters.DELAY_MS);

    assertThat(scheduler.delays()).containsExactly(DeferredJvmMeters.DELAY_MS);
    assertThat(registry.find(A_JVM_METER).meters()).as("not bound before the delay").isEmpty();
    scheduler.fireAll();
    Await.result(meters.bound());

    assertThat(registry.find(A_JVM_METER).meters()).isNotEmpty();
  }

  @Test
  void aScrapeBeforeTheDelayBindsThemAtOnceAndTheTimerDoesNotBindThemAgain() {
    meters.bindAfter(scheduler, DeferredJvmMeters.DELAY_MS);

    Future<?> first = meters.bound();
    Await.result(first);
    assertThat(registry.find(A_JVM_METER).meters()).isNotEmpty();
    int registered = registry.getMeters().size();
    scheduler.fireAll();

    assertThat(meters.bound()).isSameAs(first);
    assertThat(registry.getMeters()).hasSize(registered);
  }

  @Test
  void closedBeforeTheDelayTheyAreNeverBound() {
    meters.bindAfter(scheduler, DeferredJvmMeters.DELAY_MS);
    meters.close();

    assertThat(scheduler.cancelledCount()).isEqualTo(1);
    scheduler.fireAll();
    Await.result(meters.bound());
    assertThat(registry.find(A_JVM_METER).meters()).isEmpty();
  }
}
