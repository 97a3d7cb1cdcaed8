package io.portcullis.edge;

import io.portcullis.config.TlsConfig;
import io.portcullis.observe.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The certificate the main listener serves ({@code server.tls}), shared by every event-loop
 * instance, and its reload (README "server.tls and HTTP/2", certificate renewal).
 *
 * <p>A reload reads both files off the event loops. When their content changed and the pair can be
 * served ({@link CertificatePair}: readable, the key belongs to the certificate; and
 * {@link CertificateValidity}: neither expired nor not yet valid), it is given to the server of
 * every instance with {@link HttpServer#updateSSLOptions}: connections open before keep their TLS
 * session and the certificate it was made with; new connections get the new one. Otherwise the
 * running certificate stays and one line names the file and the reason.
 *
 * <p>A reload asked for ({@code SIGHUP}, {@code POST /admin/reload}) is logged and counted
 * whatever it finds. A poll ({@code reload.pollMs}) is silent when nothing changed, and reports a
 * pair it cannot serve only once it has seen the same content on two polls in a row (a renewal
 * writes two files, and a poll may fall between them), then not again until something changes.
 * Reloads run one at a time.
 */
public final class ListenerCertificate {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.tls");
  /** Trigger name of a reload caused by a poll that saw the files change. */
  public static final String POLL_TRIGGER = "file change";

  /** What a reload did. */
  public enum Result {
    /** A new certificate is served. */
    APPLIED,
    /** The files hold the certificate already served. */
    UNCHANGED,
    /** The files cannot be served; the running certificate stays. */
    FAILED
  }

  /**
   * The outcome of one reload.
   *
   * @param result what it did
   * @param detail the certificate served now ({@link CertificatePair#describe()}), or the reason
   *     for {@link Result#FAILED} with the setting at fault ({@code server.tls.keyFile: ...})
   */
  public record Outcome(Result result, String detail) {

    /** {@code {"result":"applied","certificate":"serial ..."}} or {@code {"result":"failed","error":"..."}}. */
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("result", result.name().toLowerCase(java.util.Locale.ROOT));
      return result == Result.FAILED ? json.put("error", detail) : json.put("certificate", detail);
    }
  }

  private final Vertx vertx;
  private final TlsConfig tls;
  private final Clock clock;
  private final GatewayMetrics metrics;
  /** Each listening server with the TLS options it was started with. Guarded by {@code this}. */
  private final Map<HttpServer, ServerSSLOptions> servers = new IdentityHashMap<>();
  private volatile CertificatePair current;
  private Future<?> tail = Future.succeededFuture();
  // Touched only inside a serialized reload: the last content that could not be served.
  private Failure lastFailure;

  /**
   * The certificate of {@code tls}, not read yet ({@link #load()}).
   *
   * @param clock the wall clock the certificate's dates are compared with
   */
  public ListenerCertificate(Vertx vertx, TlsConfig tls, Clock clock, GatewayMetrics metrics) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    metrics.listenerCertificate(() -> {
      CertificatePair pair = current;
      return pair == null ? Double.NaN : pair.leaf().getNotAfter().getTime() / 1000.0;
    });
  }

  /**
   * Reads the pair to start with, off the event loops. Fails when it cannot be served; logs a
   * warning when it expires within {@link CertificateValidity#EXPIRY_WARNING}, has expired or is
   * not valid yet (it is served all the same: it is the only one there is).
   */
  public Future<Void> load() {
    return vertx.executeBlocking(() -> {
      CertificatePair pair;
      try {
        pair = CertificatePair.read(tls.certFile(), tls.keyFile());
      } catch (CertificatePair.Invalid e) {
        throw new IllegalStateException("server.tls." + e.setting() + ": " + e.getMessage());
      }
      String warning = CertificateValidity.warning(pair.leaf(), tls.certFile(), clock.instant());
      if (warning != null) {
        LOG.warn("server.tls.certFile: {}", warning);
      }
      current = pair;
      return null;
    }, false);
  }

  /** The pair served now (after {@link #load()}). */
  public CertificatePair current() {
    return current;
  }

  /**
   * {@code server} listens with {@code sslOptions}, made with {@code listenedWith}'s key and
   * certificate; it gets every later reload until {@link #stopped}. If a reload came in between,
   * it gets that one now.
   */
  public void serving(HttpServer server, ServerSSLOptions sslOptions, CertificatePair listenedWith) {
    CertificatePair now;
    synchronized (this) {
      servers.put(server, sslOptions.copy());
      now = current;
    }
    if (now != listenedWith) {
      update(server, sslOptions, now).onFailure(err ->
          LOG.error("TLS certificate: a listener started during a reload could not take the new certificate", err));
    }
  }

  /** {@code server} stopped listening. */
  public synchronized void stopped(HttpServer server) {
    servers.remove(server);
  }

  /** Re-reads the files on request ({@code trigger} names the cause): logged and counted whatever it finds. */
  public Future<Outcome> reload(String trigger) {
    return serialized(() -> run(trigger, true));
  }

  /** Re-reads the files at a poll: quiet unless they changed (see the class comment). */
  public Future<Outcome> poll() {
    return serialized(() -> run(POLL_TRIGGER, false));
  }

  private synchronized <T> Future<T> serialized(Supplier<Future<T>> task) {
    Promise<T> done = Promise.promise();
    tail.onComplete(ignored -> {
      try {
        task.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    tail = done.future();
    return done.future();
  }

  /** What a read of the files found (on a worker thread). */
  private record Checked(CertificatePair pair, Failure failure) {
  }

  /**
   * Content that cannot be served and why.
   *
   * @param timeBound refused for its dates only, so the same content may be served later
   */
  private record Failure(String setting, String reason, byte[] certificatePem, byte[] keyPem, boolean timeBound,
                         boolean reported) {

    boolean sameAs(Failure other) {
      return other != null && setting.equals(other.setting) && reason.equals(other.reason)
          && Arrays.equals(certificatePem, other.certificatePem) && Arrays.equals(keyPem, other.keyPem);
    }

    boolean sameContent(byte[] certificate, byte[] key) {
      return Arrays.equals(certificatePem, certificate) && Arrays.equals(keyPem, key);
    }

    Failure reported(boolean value) {
      return new Failure(setting, reason, certificatePem, keyPem, timeBound, value);
    }
  }

  private Future<Outcome> run(String trigger, boolean asked) {
    return vertx.executeBlocking(this::check, false)
        .compose(checked -> {
          if (checked.failure() != null) {
            return Future.succeededFuture(failed(trigger, asked, checked.failure()));
          }
          if (checked.pair() == null) {
            lastFailure = null;
            if (asked) {
              LOG.info("TLS certificate reload ({}): unchanged ({})", trigger, current.describe());
              metrics.certificateReload(true);
            }
            return Future.succeededFuture(new Outcome(Result.UNCHANGED, current.describe()));
          }
          return apply(trigger, checked.pair());
        });
  }

  /** Reads and checks the files: no pair when they hold the one served, a failure when they cannot be served. */
  private Checked check() {
    byte[] certificate;
    byte[] key;
    try {
      certificate = CertificatePair.readFile("certFile", tls.certFile());
      key = CertificatePair.readFile("keyFile", tls.keyFile());
    } catch (CertificatePair.Invalid e) {
      return new Checked(null, new Failure(e.setting(), e.getMessage(), null, null, false, false));
    }
    if (current.sameContent(certificate, key)) {
      return new Checked(null, null);
    }
    Failure known = lastFailure;
    if (known != null && !known.timeBound() && known.sameContent(certificate, key)) {
      return new Checked(null, known);
    }
    CertificatePair pair;
    try {
      pair = CertificatePair.of(tls.certFile(), tls.keyFile(), certificate, key);
    } catch (CertificatePair.Invalid e) {
      return new Checked(null, new Failure(e.setting(), e.getMessage(), certificate, key, false, false));
    }
    String refusal = CertificateValidity.refusal(pair.leaf(), tls.certFile(), clock.instant());
    if (refusal != null) {
      return new Checked(null, new Failure("certFile", refusal, certificate, key, true, false));
    }
    return new Checked(pair, null);
  }

  private Outcome failed(String trigger, boolean asked, Failure failure) {
    Failure before = lastFailure;
    boolean seenBefore = failure.sameAs(before);
    boolean report = asked || (seenBefore && !before.reported());
    lastFailure = failure.reported(report || (seenBefore && before.reported()));
    String detail = "server.tls." + failure.setting() + ": " + failure.reason();
    if (report) {
      LOG.error("TLS certificate reload ({}): {}; the running certificate stays ({})", trigger, detail,
          current.describe());
      metrics.certificateReload(false);
    } else if (!seenBefore) {
      LOG.debug("TLS certificate poll: {}; checking again at the next poll", detail);
    }
    return new Outcome(Result.FAILED, detail);
  }

  private Future<Outcome> apply(String trigger, CertificatePair pair) {
    CertificatePair previous;
    List<Map.Entry<HttpServer, ServerSSLOptions>> targets;
    synchronized (this) {
      previous = current;
      // Set before the servers are updated, so that a server starting meanwhile takes it too.
      current = pair;
      targets = new ArrayList<>(servers.entrySet());
    }
    List<Future<Boolean>> updates = new ArrayList<>();
    for (Map.Entry<HttpServer, ServerSSLOptions> target : targets) {
      updates.add(update(target.getKey(), target.getValue(), pair));
    }
    return Future.all(updates).transform(ar -> {
      if (ar.failed()) {
        synchronized (this) {
          if (current == pair) {
            current = previous;
          }
        }
        Failure failure = new Failure("certFile", "the listener refused the new certificate: " + ar.cause().getMessage(),
            pair.certificatePem(), pair.keyPem(), false, false);
        return Future.succeededFuture(failed(trigger, true, failure));
      }
      lastFailure = null;
      LOG.info("TLS certificate reload ({}) applied on {} listener(s): {}; was {}", trigger, targets.size(),
          pair.describe(), previous.describe());
      String warning = CertificateValidity.warning(pair.leaf(), tls.certFile(), clock.instant());
      if (warning != null) {
        LOG.warn("server.tls.certFile: {}", warning);
      }
      metrics.certificateReload(true);
      return Future.succeededFuture(new Outcome(Result.APPLIED, pair.describe()));
    });
  }

  /** Gives {@code server} the pair; a server that no longer listens is skipped. */
  private static Future<Boolean> update(HttpServer server, ServerSSLOptions sslOptions, CertificatePair pair) {
    try {
      return server.updateSSLOptions(sslOptions.copy().setKeyCertOptions(pair.keyCertOptions()));
    } catch (IllegalStateException notListening) {
      return Future.succeededFuture(false);
    }
  }
}
