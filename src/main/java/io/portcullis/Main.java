package io.portcullis;

import ch.qos.logback.classic.LoggerContext;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.configfile.ConfigFiles;
import io.portcullis.edge.CertificatePair;
import io.portcullis.edge.CertificateValidity;
import io.portcullis.lifecycle.Gateway;
import io.portcullis.lifecycle.HangupRelay;
import io.portcullis.lifecycle.ListenFailure;
import io.portcullis.lifecycle.Signals;
import io.portcullis.observe.BuildInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The command line (README "Command line"):
 * {@code java -jar portcullis.jar [--config PATH] [--check] [--print-config] [--demo] [--version]}.
 * Exit codes: 0 clean shutdown, valid {@code --check} or {@code --print-config}, or
 * {@code --version}; 2 invalid configuration; 1 any other start-up failure, named in one line on
 * stderr.
 */
public final class Main {

  /** Exit status of a clean shutdown or a valid check. */
  public static final int EXIT_OK = 0;
  /** Exit status of any start-up failure other than an invalid configuration. */
  public static final int EXIT_FAILURE = 1;
  /** Exit status of an invalid configuration. */
  public static final int EXIT_INVALID_CONFIG = 2;

  private static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";
  /** The PBKDF2 rounds that lock a private key put into a PKCS#12 key store (JDK default 10,000). */
  static final String PKCS12_KEY_ROUNDS_PROPERTY = "keystore.pkcs12.keyPbeIterationCount";

  static {
    // Netty 4.2 emits JFR events from its buffer allocator when JFR is present: initialising JFR
    // costs about 100 classes and tens of milliseconds on the first request, and a JFR check on
    // every allocation. Off unless the operator turns it on (-Dio.netty.jfr.enabled=true) to
    // profile. Set here, before the logger below: configuring the logging loads Netty (the access
    // log's queue), which reads the property once.
    defaultProperty(NETTY_JFR_PROPERTY, "false", false);
    // Vert.x hands the listener's PEM key (server.tls) to the TLS stack through a PKCS#12 key
    // store that lives in memory only, locked with a fixed password of its own. The JDK locks the
    // key on the way in and unlocks it on the way out with 10,000 PBKDF2 rounds each, run by the
    // interpreter at start-up: about 1.2 s of a one-core start with server.tls
    // (docs/performance.md, "TLS start-up"). Those rounds protect nothing here, so one round,
    // unless the operator chose a count (-D or java.security). Key stores read from files keep
    // the counts they were written with.
    defaultProperty(PKCS12_KEY_ROUNDS_PROPERTY, "1", true);
  }

  /**
   * Sets system property {@code name} to {@code value} unless the operator has set it: as a system
   * property, or, for a {@code security} property (one the JDK also reads from
   * {@code java.security}), there. Returns whether it was set here.
   */
  static boolean defaultProperty(String name, String value, boolean security) {
    if (System.getProperty(name) != null || (security && Security.getProperty(name) != null)) {
      return false;
    }
    System.setProperty(name, value);
    return true;
  }

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.lifecycle");
  private static final String USAGE =
      "usage: java -jar target/portcullis.jar [--config PATH] [--check] [--print-config] [--demo] [--version]";

  private Main() {
  }

  /** Parsed command line. */
  record Options(Path config, boolean check, boolean demo, boolean printConfig, boolean version) {
  }

  /** Runs the gateway and exits with the status README "Command line" gives. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    flushLogs();
    System.exit(status);
  }

  /**
   * Runs the command line; returns the exit status. Blocks until shutdown when it starts the
   * gateway. {@code out} and {@code err} are the command's own output (not diagnostics).
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("portcullis: " + e.getMessage());
      err.println(USAGE);
      return EXIT_FAILURE;
    }
    if (options == null) {
      out.println(USAGE);
      return EXIT_OK;
    }
    if (options.version()) {
      out.println("portcullis " + version());
      return EXIT_OK;
    }
    GatewayConfig config;
    byte[] configBytes;
    try {
      // Read here rather than by ConfigFiles.load: the running configuration's bytes, which the
      // reload watcher then takes as the file's last content without parsing it again.
      configBytes = Files.readAllBytes(options.config());
      config = ConfigFiles.parse(configBytes, options.config(), System::getenv);
    } catch (IOException e) {
      err.println("portcullis: cannot read config file " + options.config() + ": " + ConfigFiles.readFailure(e));
      return EXIT_FAILURE;
    } catch (ConfigException e) {
      err.println("portcullis: invalid configuration " + options.config() + ":");
      e.errors().forEach(err::println);
      return EXIT_INVALID_CONFIG;
    }
    if (options.printConfig()) {
      out.println(ConfigLoader.toJson(config).encodePrettily());
      return EXIT_OK;
    }
    if (options.check()) {
      warnAboutCertificate(config, Clock.systemUTC(), err);
      out.println("config OK");
      return EXIT_OK;
    }
    return serve(config, configBytes, options.config(), options.demo(), err);
  }

  /**
   * A warning line on {@code err} when the listener's certificate expires within
   * {@link CertificateValidity#EXPIRY_WARNING}, has expired or is not valid yet: the configuration is
   * still valid (the gateway starts, and warns again).
   */
  private static void warnAboutCertificate(GatewayConfig config, Clock clock, PrintStream err) {
    config.server().tls().ifPresent(tls -> {
      try {
        CertificatePair pair = CertificatePair.read(tls.certFile(), tls.keyFile());
        String warning = CertificateValidity.warning(pair.leaf(), tls.certFile(), clock.instant());
        if (warning != null) {
          err.println("portcullis: warning: server.tls.certFile: " + warning);
        }
      } catch (CertificatePair.Invalid e) {
        // The loader has just accepted the pair: only a file changed since gets here.
        err.println("portcullis: warning: server.tls." + e.setting() + ": " + e.getMessage());
      }
    });
  }

  static Options parse(String[] args) {
    Path config = Path.of("conf/gateway.json");
    boolean check = false;
    boolean demo = false;
    boolean printConfig = false;
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--config needs a path");
          }
          config = Path.of(args[++i]);
        }
        case "--check" -> check = true;
        case "--demo" -> demo = true;
        case "--print-config" -> printConfig = true;
        case "--version" -> version = true;
        case "--help", "-h" -> {
          return null;
        }
        default -> {
          if (args[i].startsWith("--config=")) {
            config = Path.of(args[i].substring("--config=".length()));
          } else {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
        }
      }
    }
    return new Options(config, check, demo, printConfig, version);
  }

  /** This build's version ({@link BuildInfo#version()}). */
  static String version() {
    return BuildInfo.version();
  }

  private static int serve(GatewayConfig config, byte[] configBytes, Path configFile, boolean demo, PrintStream err) {
    // SIGHUP is handled from before the start, so one that arrives as the gateway becomes ready is
    // held and carried out instead of ending the process (the JVM's default for SIGHUP).
    HangupRelay hangups = new HangupRelay();
    Signals.installHangup(hangups);
    // SIGTERM and SIGINT too: one that arrives while the gateway starts is held, and the graceful
    // shutdown runs once the start-up is over (status 0), instead of the JVM's default (status 143).
    Signals signals = Signals.install();
    Gateway gateway;
    try {
      gateway = await(Gateway.start(config, demo, configFile, configBytes).toCompletionStage().toCompletableFuture());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      err.println("portcullis: cannot start: " + describe(cause, config));
      LOG.debug("start-up failure", cause);
      return EXIT_FAILURE;
    }
    Gateway running = gateway;
    hangups.attach(() -> running.reload("SIGHUP")
        .onFailure(e -> LOG.warn("SIGHUP: no reload: {}", e.getMessage())));
    signals.awaitFirst();
    LOG.info("received {}: shutting down gracefully (a second signal exits at once)", signals.firstName());
    try {
      await(gateway.shutdown().toCompletionStage().toCompletableFuture());
    } catch (ExecutionException e) {
      LOG.error("graceful shutdown failed", e.getCause());
    }
    try {
      await(gateway.closeVertx().toCompletionStage().toCompletableFuture());
    } catch (ExecutionException e) {
      LOG.error("closing Vert.x failed", e.getCause());
    }
    LOG.info("portcullis stopped");
    return EXIT_OK;
  }

  private static String describe(Throwable cause, GatewayConfig config) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ListenFailure listen) {
        return listen.getMessage(); // which listener, where, and why
      }
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof BindException || String.valueOf(root.getMessage()).contains("Address already in use")) {
      // The main and admin listeners name themselves (ListenFailure): this is a demo backend's.
      return "address already in use by a demo backend's port (--demo)";
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static <T> T await(CompletableFuture<T> future) throws ExecutionException {
    while (true) {
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ExecutionException("interrupted", e);
      }
    }
  }

  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}
