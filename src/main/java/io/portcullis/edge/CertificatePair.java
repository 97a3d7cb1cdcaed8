package io.portcullis.edge;

import io.portcullis.config.KeyPairRules;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.pkcs1.PrivateKeyParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main listener's certificate chain and private key ({@code server.tls.certFile} and
 * {@code keyFile}) as the PEM bytes read from the files, checked to be servable: the chain parses,
 * the key is an RSA or EC key in one of the forms the listener reads (PKCS#8, PKCS#1 RSA, SEC1 EC,
 * parsed as Vert.x parses them), and the key belongs to the leaf certificate (a signature made with
 * the key verifies with the certificate's public key). The listener is given these very bytes, so
 * what was checked is what is served, whatever happens to the files afterwards.
 */
public final class CertificatePair {

  /** Larger files are not PEM certificates or keys a person meant to give. */
  static final long MAX_FILE_BYTES = 1 << 20;
  /** The first private key of a PEM file, as the listener takes it. */
  private static final Pattern KEY_BLOCK = Pattern.compile(
      "-----BEGIN (PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final byte[] PROBE = "portcullis key pair check".getBytes(StandardCharsets.US_ASCII);

  private final String certFile;
  private final String keyFile;
  private final byte[] certificatePem;
  private final byte[] keyPem;
  private final X509Certificate leaf;

  private CertificatePair(String certFile, String keyFile, byte[] certificatePem, byte[] keyPem,
                          X509Certificate leaf) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.certificatePem = certificatePem;
    this.keyPem = keyPem;
    this.leaf = leaf;
  }

  /**
   * Why a pair cannot be served: the setting at fault ({@code certFile} or {@code keyFile}) and the
   * reason, worded for a message that names the file ({@code no such file "/etc/tls/tls.crt"}).
   */
  public static final class Invalid extends Exception {
    private final String setting;
    private final boolean mismatch;

    Invalid(String setting, String reason, boolean mismatch) {
      super(reason, null, false, false);
      this.setting = setting;
      this.mismatch = mismatch;
    }

    /** {@code certFile} or {@code keyFile}. */
    public String setting() {
      return setting;
    }

    /** Whether both files are readable but the key does not belong to the certificate. */
    public boolean mismatch() {
      return mismatch;
    }
  }

  /**
   * The configuration loader's check of {@code server.tls} ({@code --check} and every load): the
   * pair's problem, as {@link #read} finds it.
   */
  public static final KeyPairRules RULES = (certFile, keyFile) -> {
    try {
      read(certFile, keyFile);
      return null;
    } catch (Invalid e) {
      return new KeyPairRules.Problem(e.mismatch(), e.setting(), e.getMessage());
    }
  };

  /** Reads both files now (blocking: call off the event loops) and checks the pair. */
  public static CertificatePair read(String certFile, String keyFile) throws Invalid {
    byte[] certificate = readFile("certFile", certFile);
    byte[] key = readFile("keyFile", keyFile);
    return of(certFile, keyFile, certificate, key);
  }

  /** Reads one file of a pair, bounded; what {@link #read} does before it checks them. */
  static byte[] readFile(String setting, String file) throws Invalid {
    try {
      Path path = Path.of(file);
      if (Files.size(path) > MAX_FILE_BYTES) {
        throw new Invalid(setting, "file \"" + file + "\" is larger than 1 MiB", false);
      }
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new Invalid(setting, "no such file \"" + file + "\"", false);
    } catch (InvalidPathException e) {
      throw new Invalid(setting, "invalid file name \"" + file + "\"", false);
    } catch (IOException e) {
      throw new Invalid(setting, "cannot read \"" + file + "\": " + e.getMessage(), false);
    }
  }

  /** Checks the content of {@code certFile} and {@code keyFile}, read by the caller. */
  static CertificatePair of(String certFile, String keyFile, byte[] certificatePem, byte[] keyPem) throws Invalid {
    List<X509Certificate> chain = chain(certFile, certificatePem);
    PrivateKey key = privateKey(keyFile, keyPem);
    X509Certificate leaf = chain.get(0);
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new Invalid("keyFile", "the key in \"" + keyFile + "\" does not match the certificate in \""
          + certFile + "\"", true);
    }
    try {
      // The listener's own loader, on the same bytes: what passes here, the listener can serve.
      new PemKeyCertOptions().setCertValue(Buffer.buffer(certificatePem)).setKeyValue(Buffer.buffer(keyPem))
          .loadKeyStore(null);
    } catch (Exception e) {
      throw new Invalid("keyFile", "cannot load the pair \"" + certFile + "\", \"" + keyFile + "\": " + e.getMessage(),
          false);
    }
    return new CertificatePair(certFile, keyFile, certificatePem.clone(), keyPem.clone(), leaf);
  }

  private static List<X509Certificate> chain(String file, byte[] pem) throws Invalid {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory.generateCertificates(new ByteArrayInputStream(pem))
          .forEach(c -> chain.add((X509Certificate) c));
    } catch (CertificateException e) {
      throw new Invalid("certFile", "invalid certificate in \"" + file + "\": " + e.getMessage(), false);
    }
    if (chain.isEmpty()) {
      throw new Invalid("certFile", "no PEM certificate in \"" + file + "\"", false);
    }
    return chain;
  }

  private static PrivateKey privateKey(String file, byte[] pem) throws Invalid {
    Matcher block = KEY_BLOCK.matcher(new String(pem, StandardCharsets.ISO_8859_1));
    if (!block.find()) {
      throw new Invalid("keyFile", "no PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) in \"" + file + "\"", false);
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(block.group(2));
      return switch (block.group(1)) {
        case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(PrivateKeyParser.getRSAKeySpec(der));
        case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(PrivateKeyParser.getECKeySpec(der));
        default -> KeyFactory.getInstance(PrivateKeyParser.getPKCS8EncodedKeyAlgorithm(der))
            .generatePrivate(new PKCS8EncodedKeySpec(der));
      };
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new Invalid("keyFile", "invalid private key in \"" + file + "\" (an RSA or EC key is needed): "
          + e.getMessage(), false);
    }
  }

  /** Whether a signature made with {@code key} verifies with {@code certified}. */
  static boolean belongTogether(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // Keys of different curves or sizes: the key cannot sign for this certificate.
      return false;
    }
  }

  /** The leaf certificate (the one the listener presents first). */
  public X509Certificate leaf() {
    return leaf;
  }

  /** {@code server.tls.certFile}. */
  public String certFile() {
    return certFile;
  }

  /** {@code server.tls.keyFile}. */
  public String keyFile() {
    return keyFile;
  }

  /** The listener's key and certificate options over this pair's bytes (a new object each call). */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(certificatePem)).setKeyValue(Buffer.buffer(keyPem));
  }

  /** The certificate file's bytes (not a copy: read only). */
  byte[] certificatePem() {
    return certificatePem;
  }

  /** The key file's bytes (not a copy: read only). */
  byte[] keyPem() {
    return keyPem;
  }

  /** Whether this pair was made of exactly these bytes. */
  public boolean sameContent(byte[] otherCertificatePem, byte[] otherKeyPem) {
    return Arrays.equals(certificatePem, otherCertificatePem) && Arrays.equals(keyPem, otherKeyPem);
  }

  /** The leaf's serial number in hexadecimal, as {@code openssl x509 -serial} shows it. */
  public String serial() {
    return serialHex(leaf.getSerialNumber());
  }

  static String serialHex(BigInteger serial) {
    return serial.toString(16).toUpperCase(java.util.Locale.ROOT);
  }

  /** The leaf, for a log line: {@code serial 5F3A, subject CN=gateway, valid until 2025-06-01T00:00:00Z}. */
  public String describe() {
    return "serial " + serial() + ", subject " + leaf.getSubjectX500Principal().getName()
        + ", valid until " + leaf.getNotAfter().toInstant();
  }
}
