package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HangupRelayTest {

  @Test
  void aHangupBeforeAttachIsCarriedOutOnceWhenAttached() {
    HangupRelay relay = new HangupRelay();
    AtomicInteger reloads = new AtomicInteger();
    relay.run();
    relay.run();
    assertThat(reloads).hasValue(0);
    relay.attach(reloads::incrementAndGet);
    assertThat(reloads).hasValue(1);
  }

  @Test
  void noHangupBeforeAttachMeansNoReloadOnAttach() {
    HangupRelay relay = new HangupRelay();
    AtomicInteger reloads = new AtomicInteger();
    relay.attach(reloads::incrementAndGet);
    assertThat(reloads).hasValue(0);
  }

  @Test
  void eachHangupAfterAttachReloadsAtOnce() {
    HangupRelay relay = new HangupRelay();
    AtomicInteger reloads = new AtomicInteger();
    relay.attach(reloads::incrementAndGet);
    relay.run();
    relay.run();
    assertThat(reloads).hasValue(2);
  }
}
