package io.portcullis.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test: a private certificate authority and server certificates it
 * signs (for {@code localhost} and {@code 127.0.0.1}), written as PEM files. Nothing comes from
 * the network or the repository.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A certificate and its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keys) {

    /** Writes the certificate to {@code dir/name.crt} and the PKCS#8 key to {@code dir/name.key}. */
    public PemPair writeTo(Path dir, String name) {
      Path cert = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      write(cert, certificate);
      write(key, keys.getPrivate());
      return new PemPair(cert, key);
    }

    /**
     * Writes the certificate to {@code dir/name.crt} and the key in OpenSSL's traditional form
     * ({@code RSA PRIVATE KEY}, PKCS#1, or {@code EC PRIVATE KEY}, SEC1) to {@code dir/name.key}.
     */
    public PemPair writeTraditionalTo(Path dir, String name) {
      Path cert = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      write(cert, certificate);
      StringWriter text = new StringWriter();
      try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
        if (keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
          // SEC1 with the curve named in it, as openssl writes it (the JDK's own encoding leaves it out).
          org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
              org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getEncoded());
          org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
              ec.getParams().getOrder().bitLength(), ec.getS(), info.getPrivateKeyAlgorithm().getParameters());
          pem.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } else {
          pem.writeObject(keys.getPrivate());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        Files.writeString(key, text.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new PemPair(cert, key);
    }

    /** The certificate's serial number. */
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }
  }

  /** The paths of a written certificate and key. */
  public record PemPair(Path certFile, Path keyFile) {}

  private final Issued authority;

  private TestCertificates(Issued authority) {
    this.authority = authority;
  }

  /** A new certificate authority named {@code cn}. */
  public static TestCertificates authority(String cn) {
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=" + cn);
    try {
      X509v3CertificateBuilder builder = builder(name, name, keys)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestCertificates(new Issued(sign(builder, keys), keys));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The authority's own certificate (what a client trusts). */
  public Issued authorityCertificate() {
    return authority;
  }

  /** A server certificate for {@code localhost} and {@code 127.0.0.1}, signed by this authority. */
  public Issued server(String cn) {
    return server(cn, new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
  }

  /**
   * A server certificate for {@code localhost} and {@code 127.0.0.1} valid from {@code notBefore}
   * to {@code notAfter} (an expired one, one about to expire, one not valid yet).
   */
  public Issued server(String cn, Instant notBefore, Instant notAfter) {
    return issue(cn, keyPair("EC"), notBefore, notAfter);
  }

  /** A server certificate for {@code localhost} and {@code 127.0.0.1} with an RSA key (2048 bits). */
  public Issued serverRsa(String cn) {
    Instant now = Instant.now();
    return issue(cn, keyPair("RSA"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)));
  }

  private Issued issue(String cn, KeyPair keys, Instant notBefore, Instant notAfter) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
              new X500Name(authority.certificate().getSubjectX500Principal().getName()),
              BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
              new X500Name("CN=" + cn), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      return new Issued(sign(builder, authority.keys()), keys);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server certificate for the DNS names {@code dnsNames} only, signed by this authority. */
  public Issued serverFor(String cn, String... dnsNames) {
    GeneralName[] names = new GeneralName[dnsNames.length];
    for (int i = 0; i < dnsNames.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
    }
    return server(cn, names);
  }

  private Issued server(String cn, GeneralName... names) {
    KeyPair keys = keyPair();
    try {
      X509v3CertificateBuilder builder = builder(
              new X500Name(authority.certificate().getSubjectX500Principal().getName()), new X500Name("CN=" + cn), keys)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      return new Issued(sign(builder, authority.keys()), keys);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code object} (a certificate or a key) as PEM. */
  public static void write(Path file, Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(object instanceof java.security.PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate()
          : object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.writeString(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
    try {
      ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    return keyPair("EC");
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      generator.initialize("RSA".equals(algorithm) ? 2048 : 256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
