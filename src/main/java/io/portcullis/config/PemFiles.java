package io.portcullis.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the PEM files named by the configuration when it is loaded, so that a bad certificate is
 * a config error with its JSON path rather than a failure at start.
 */
final class PemFiles {

  /** Larger files are not PEM certificates or keys a person meant to give. */
  private static final long MAX_BYTES = 1 << 20;
  private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN (RSA|EC) PRIVATE KEY-----");

  private PemFiles() {}

  /** Records a problem at {@code at} unless {@code file} holds at least one valid PEM certificate. */
  static void checkCertificates(Node at, String file, Problems problems) {
    String text = read(at, file, problems);
    if (text == null) {
      return;
    }
    if (!text.contains(CERTIFICATE)) {
      problems.add(at, "no PEM certificate (" + CERTIFICATE + ") in " + Syntax.quote(file));
      return;
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      if (factory.generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))).isEmpty()) {
        problems.add(at, "no PEM certificate in " + Syntax.quote(file));
      }
    } catch (CertificateException e) {
      problems.add(at, "invalid certificate in " + Syntax.quote(file) + ": " + e.getMessage());
    }
  }

  /** Records a problem at {@code at} unless {@code file} holds a PEM private key. */
  static void checkPrivateKey(Node at, String file, Problems problems) {
    String text = read(at, file, problems);
    if (text == null) {
      return;
    }
    Matcher pkcs8 = PKCS8.matcher(text);
    if (pkcs8.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(pkcs8.group(1));
      } catch (IllegalArgumentException e) {
        problems.add(at, "invalid private key in " + Syntax.quote(file) + ": bad base64");
        return;
      }
      for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
        try {
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          return;
        } catch (Exception e) {
          // not this algorithm: try the next
        }
      }
      problems.add(at, "invalid private key in " + Syntax.quote(file) + ": not an RSA, EC or EdDSA PKCS#8 key");
      return;
    }
    if (!OTHER_KEY.matcher(text).find()) {
      problems.add(at, "no PEM private key (-----BEGIN PRIVATE KEY-----) in " + Syntax.quote(file));
    }
  }

  private static String read(Node at, String file, Problems problems) {
    if (file.isEmpty()) {
      problems.add(at, "must not be empty");
      return null;
    }
    try {
      Path path = Path.of(file);
      if (!Files.isRegularFile(path)) {
        problems.add(at, "no such file " + Syntax.quote(file));
        return null;
      }
      if (Files.size(path) > MAX_BYTES) {
        problems.add(at, "file " + Syntax.quote(file) + " is larger than 1 MiB");
        return null;
      }
      return Files.readString(path, StandardCharsets.ISO_8859_1);
    } catch (InvalidPathException e) {
      problems.add(at, "invalid file name " + Syntax.quote(file));
    } catch (IOException e) {
      problems.add(at, "cannot read " + Syntax.quote(file) + ": " + e.getMessage());
    }
    return null;
  }
}
