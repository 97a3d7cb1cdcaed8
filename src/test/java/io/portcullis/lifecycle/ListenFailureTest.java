package io.portcullis.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The one line that names a listener that could not start, and why (CONTRACT §1). */
class ListenFailureTest {

  @Test
  void namesTheListenerItsAddressAndTheCauseInAFewWords() {
    assertThat(new ListenFailure("admin listener", "127.0.0.1", 9901, new BindException("Address already in use"))
        .getMessage()).isEqualTo("admin listener 127.0.0.1:9901: address already in use");
    assertThat(new ListenFailure("main listener", "::1", 8080,
        new IOException("bind(..) failed with error(-99): Cannot assign requested address")).getMessage())
        .isEqualTo("main listener [::1]:8080: not an address of this machine");
    assertThat(new ListenFailure("main listener", "999.1.1.1", 8080,
        new RuntimeException("wrapped", new IOException("Query failed with NXDOMAIN"))).getMessage())
        .isEqualTo("main listener 999.1.1.1:8080: cannot resolve the host");
    assertThat(ListenFailure.reason(new UnknownHostException("gw.invalid"))).isEqualTo("cannot resolve the host");
    assertThat(ListenFailure.reason(new IOException("bind(..) failed: Permission denied")))
        .startsWith("permission denied");
    assertThat(ListenFailure.reason(new IllegalStateException("odd"))).isEqualTo("IllegalStateException: odd");
  }
}
