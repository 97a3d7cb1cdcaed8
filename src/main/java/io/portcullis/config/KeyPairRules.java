package io.portcullis.config;

/**
 * Whether the private key of {@code server.tls.keyFile} belongs to the certificate of
 * {@code server.tls.certFile} and the listener can serve them: the package that serves them owns
 * how they are read, and the loader asks it rather than keeping a copy (one owner per rule, so what
 * validates is what runs). An implementation is given to {@link ConfigLoader} by whoever makes it.
 */
public interface KeyPairRules {

  /**
   * What is wrong with a pair.
   *
   * @param mismatch both files are readable, but the key does not belong to the certificate
   * @param setting the setting at fault: {@code certFile} or {@code keyFile}
   * @param reason worded for a message, naming the file
   */
  record Problem(boolean mismatch, String setting, String reason) {
  }

  /**
   * The problem of the pair, or null when the key belongs to the leaf certificate and both can be
   * served. Asked only once each file on its own holds PEM content of the right kind.
   */
  Problem check(String certFile, String keyFile);
}
