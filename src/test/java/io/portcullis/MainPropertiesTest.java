package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.Security;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JVM-wide defaults {@link Main} sets before anything else runs, and the operator's say over them. */
class MainPropertiesTest {

  private static final String NAME = "portcullis.test.defaultProperty";
  /** A name of its own: {@link Security} cannot take a property away once set. */
  private static final String SECURITY_NAME = "portcullis.test.defaultSecurityProperty";

  @AfterEach
  void clear() {
    System.clearProperty(NAME);
    System.clearProperty(SECURITY_NAME);
  }

  @Test
  void aKeyPutIntoAPkcs12StoreIsLockedWithOneRoundAndStillRoundTrips() throws Exception {
    Class.forName(Main.class.getName(), true, Main.class.getClassLoader());

    assertThat(System.getProperty(Main.PKCS12_KEY_ROUNDS_PROPERTY)).isEqualTo("1");
    // The JDK takes the count: a key stored and read back through a PKCS#12 store is the same key.
    char[] password = "not-a-secret".toCharArray();
    Key key = new SecretKeySpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "AES");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("k", key, password, null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    store.store(bytes, password);
    KeyStore read = KeyStore.getInstance("PKCS12");
    read.load(new ByteArrayInputStream(bytes.toByteArray()), password);
    assertThat(read.getKey("k", password).getEncoded()).isEqualTo(key.getEncoded());
  }

  @Test
  void aPropertyTheOperatorLeftUnsetIsSet() {
    assertThat(Main.defaultProperty(NAME, "1", true)).isTrue();

    assertThat(System.getProperty(NAME)).isEqualTo("1");
  }

  @Test
  void aSystemPropertyTheOperatorSetIsKept() {
    System.setProperty(NAME, "20000");

    assertThat(Main.defaultProperty(NAME, "1", true)).isFalse();
    assertThat(System.getProperty(NAME)).isEqualTo("20000");
  }

  @Test
  void aSecurityPropertyTheOperatorSetInJavaSecurityIsNotOverridden() {
    Security.setProperty(SECURITY_NAME, "20000");

    assertThat(Main.defaultProperty(SECURITY_NAME, "1", true)).isFalse();
    assertThat(System.getProperty(SECURITY_NAME)).isNull();
    // A plain system property does not look at java.security.
    assertThat(Main.defaultProperty(SECURITY_NAME, "false", false)).isTrue();
    assertThat(System.getProperty(SECURITY_NAME)).isEqualTo("false");
  }
}
