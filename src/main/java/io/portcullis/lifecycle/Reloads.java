package io.portcullis.lifecycle;

import io.portcullis.edge.ListenerCertificate;
import io.portcullis.reload.ConfigReloader;
import io.portcullis.reload.ReloadOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What a reload asked for ({@code SIGHUP}, {@code POST /admin/reload}) re-reads: the configuration
 * file, then the listener's certificate and key (README "Hot reload"). The certificate is re-read
 * whatever became of the file: renewing a certificate does not wait for a valid configuration.
 */
final class Reloads {

  private final ConfigReloader config;
  private final ListenerCertificate certificate;

  /**
   * @param config the configuration file's reloader, null when the gateway was not started from a file
   * @param certificate the listener's certificate, null without {@code server.tls}
   */
  Reloads(ConfigReloader config, ListenerCertificate certificate) {
    this.config = config;
    this.certificate = certificate;
  }

  /**
   * What one reload did.
   *
   * @param config the configuration file's outcome
   * @param certificate the certificate's outcome, null without {@code server.tls}
   */
  record Result(ReloadOutcome config, ListenerCertificate.Outcome certificate) {

    /** The configuration's outcome as JSON, with the certificate's under {@code "certificate"}. */
    JsonObject toJson() {
      JsonObject json = config.toJson();
      return certificate == null ? json : json.put("certificate", certificate.toJson());
    }
  }

  /** Whether there is a file to reload. */
  boolean fromFile() {
    return config != null;
  }

  /**
   * Reloads the file, then the certificate ({@code trigger} names the cause in the log). Fails
   * when the gateway has no configuration file or is shutting down.
   */
  Future<Result> reload(String trigger) {
    if (config == null) {
      return Future.failedFuture(new IllegalStateException("the gateway was not started from a configuration file"));
    }
    return config.reload(trigger).compose(outcome -> certificate == null
        ? Future.succeededFuture(new Result(outcome, null))
        : certificate.reload(trigger).map(c -> new Result(outcome, c)));
  }
}
