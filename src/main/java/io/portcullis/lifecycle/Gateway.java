package io.portcullis.lifecycle;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.portcullis.config.GatewayConfig;
import io.portcullis.demo.DemoBackends;
import io.portcullis.edge.ListenerCertificate;
import io.portcullis.health.Readiness;
import io.portcullis.observe.CoarseClock;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.reload.ConfigReloader;
import io.portcullis.reload.FileWatcher;
import io.portcullis.reload.ReloadOutcome;
import io.portcullis.reload.ReloadTarget;
import io.portcullis.resilience.Scheduler;
import io.portcullis.upstream.HealthCheckVerticle;
import io.portcullis.upstream.JvmTrust;
import io.portcullis.upstream.discovery.DiscoveryVerticle;
import io.portcullis.upstream.discovery.DnsDiscovery;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A running gateway: its Vert.x instance, the event-loop verticles sharing the main port, the
 * admin verticle and, with {@code --demo}, the demo backends. Started from a configuration file,
 * it reloads that file on {@link #reload}, {@code POST /admin/reload} and, while
 * {@code reload.watch} is on, when the file changes. {@link #shutdown()} runs the graceful
 * sequence of README "Signals and shutdown"; {@link #closeVertx()} ends it.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger("portcullis.lifecycle");
  /** Local event-bus address published to when the drain starts (HTTP/2 connections get GOAWAY). */
  static final String DRAIN_ADDRESS = "portcullis.drain";

  private final Vertx vertx;
  private final GatewayRuntime runtime;
  private final AdminVerticle admin;
  private final ConfigReloader reloader;
  private final Reloads reloads;
  private final FileWatcher watcher;
  private String gatewayDeployment;
  private String adminDeployment;
  private String healthCheckDeployment;
  private GatewayRuntime.Follower healthCheckFollower;
  private String discoveryDeployment;
  private GatewayRuntime.Follower discoveryFollower;
  private DemoBackends demo;
  private final DeferredJvmMeters jvmMeters;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  /**
   * Threads of the worker pool, which runs only a few short tasks at a time: the configuration and
   * certificate polls, a snapshot's preparation after a reload or a DNS change, and hedging's
   * latency refresh. Vert.x's default of 20 grows to 20 mostly idle threads (a thread is added per
   * task until the pool is full: the file poll alone fills it in 20 s), each with its stack and,
   * often, a malloc arena of its own (docs/performance.md "Start-up and memory, second pass").
   */
  static final int WORKER_POOL_SIZE = 4;
  /** Longest wait at shutdown for queued spans to be exported. */
  static final long TRACE_FLUSH_MS = 5_000;
  private Future<Void> shutdown;

  private Gateway(Vertx vertx, GatewayRuntime runtime, AdminVerticle admin, ConfigReloader reloader,
                  Reloads reloads, FileWatcher watcher, DeferredJvmMeters jvmMeters) {
    this.vertx = vertx;
    this.jvmMeters = jvmMeters;
    this.runtime = runtime;
    this.admin = admin;
    this.reloader = reloader;
    this.reloads = reloads;
    this.watcher = watcher;
  }

  /**
   * Starts a gateway for {@code config}, with no configuration file to reload. With
   * {@code withDemo}, the demo backends are started first. Fails (after closing what it started)
   * when a port cannot be bound.
   */
  public static Future<Gateway> start(GatewayConfig config, boolean withDemo) {
    return start(config, withDemo, null);
  }

  /**
   * Starts a gateway for {@code config}, loaded from {@code configFile} (null for none), which it
   * reloads on request and, while {@code reload.watch} is on, when it changes.
   */
  public static Future<Gateway> start(GatewayConfig config, boolean withDemo, Path configFile) {
    return start(config, withDemo, configFile, null, GatewayOptions.defaults());
  }

  /**
   * As {@link #start(GatewayConfig, boolean, Path)}, given the bytes of {@code configFile} that
   * {@code config} was parsed from: while the file still holds them, start-up does not parse it
   * again to know what the reload watcher compares with.
   */
  public static Future<Gateway> start(GatewayConfig config, boolean withDemo, Path configFile, byte[] configBytes) {
    return start(config, withDemo, configFile, configBytes, GatewayOptions.defaults());
  }

  /**
   * Starts a gateway for {@code config}, loaded from {@code configFile} (null for none), with its
   * clock, random source, timers and request-header timeout from {@code options}.
   */
  public static Future<Gateway> start(GatewayConfig config, boolean withDemo, Path configFile,
                                      GatewayOptions options) {
    return start(config, withDemo, configFile, null, options);
  }

  /**
   * Starts a gateway for {@code config}, parsed from {@code configBytes} (null if unknown) read from
   * {@code configFile} (null for none), with its clock, random source, timers and request-header
   * timeout from {@code options}.
   */
  public static Future<Gateway> start(GatewayConfig config, boolean withDemo, Path configFile, byte[] configBytes,
                                      GatewayOptions options) {
    StartupTimeline timeline = new StartupTimeline(options.ticker());
    // Read here, off the event loops, rather than by the first TLS connection to such an upstream.
    JvmTrust.loadFor(config);
    int instances = config.server().instances() > 0 ? config.server().instances()
        : Runtime.getRuntime().availableProcessors();
    CoarseClock meterClock = new CoarseClock(io.micrometer.core.instrument.Clock.SYSTEM);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
        meterClock);
    // The JVM meters are bound after start-up (DeferredJvmMeters), not with Vert.x.
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false);
    // The gateway records its own request meters; Vert.x's per-request ones would only add cost (the
    // connection pools' queue meters, NAMED_POOLS, cost a future listener and two meter updates on
    // every upstream request).
    for (MetricsDomain domain : new MetricsDomain[] {MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT,
        MetricsDomain.NET_SERVER, MetricsDomain.NET_CLIENT, MetricsDomain.EVENT_BUS, MetricsDomain.DATAGRAM_SOCKET,
        MetricsDomain.NAMED_POOLS}) {
      metricsOptions.addDisabledMetricsCategory(domain);
    }
    VertxOptions vertxOptions = new VertxOptions()
        .setPreferNativeTransport(true)
        .setEventLoopPoolSize(Math.max(instances, 1))
        .setWorkerPoolSize(WORKER_POOL_SIZE)
        .setMetricsOptions(metricsOptions);
    Vertx vertx = Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory(registry)).build();
    vertx.exceptionHandler(UnhandledFailures::report);
    vertx.setPeriodic(CoarseClock.TICK_MS, id -> meterClock.tick());
    timeline.mark("vertx");
    GatewayRuntime runtime = new GatewayRuntime(vertx, config, options.ticker(), options.scheduler().apply(vertx),
        options.random(), new GatewayMetrics(registry), options.env());
    ConfigReloader reloader = configFile == null ? null
        : new ConfigReloader(vertx, configFile, reloadTarget(runtime), runtime.metrics(), options.env());
    // The listener's certificate: read at start, re-read on the same poll and triggers as the file.
    ListenerCertificate certificate = config.server().tls()
        .map(tls -> new ListenerCertificate(vertx, tls, Clock.systemUTC(), runtime.metrics()))
        .orElse(null);
    Reloads reloads = new Reloads(reloader, certificate);
    List<FileWatcher.Poll> polls = new ArrayList<>();
    if (reloader != null) {
      polls.add(() -> reloader.reloadIfChanged(FileWatcher.TRIGGER));
    }
    if (certificate != null) {
      polls.add(certificate::poll);
    }
    FileWatcher watcher = polls.isEmpty() ? null : new FileWatcher(vertx, () -> runtime.config().reload(), polls);
    DeferredJvmMeters jvmMeters = new DeferredJvmMeters(vertx, registry);
    Gateway gateway = new Gateway(vertx, runtime, new AdminVerticle(runtime, registry, reloads, jvmMeters::bound),
        reloader, reloads, watcher, jvmMeters);
    timeline.mark("runtime");
    Future<Void> demoStarted = Future.succeededFuture();
    if (withDemo) {
      gateway.demo = new DemoBackends(vertx);
      demoStarted = gateway.demo.start(config);
    }
    return demoStarted
        .compose(v -> certificate == null ? Future.<Void>succeededFuture() : certificate.load())
        .compose(v -> {
          timeline.mark(withDemo ? "demo backends and certificate" : "certificate");
          return vertx.deployVerticle(
              () -> new GatewayVerticle(runtime, options.requestHeaderTimeoutMs(), certificate),
              new DeploymentOptions().setInstances(instances));
        })
        .compose(id -> {
          gateway.gatewayDeployment = id;
          timeline.mark("gateway listening");
          return vertx.deployVerticle(gateway.admin);
        })
        .compose(id -> {
          gateway.adminDeployment = id;
          timeline.mark("admin listening");
          HealthCheckVerticle checks = new HealthCheckVerticle(runtime.snapshot().upstreams().values());
          gateway.healthCheckFollower = snapshot -> checks.adopt(snapshot.upstreams().values(), snapshot.generation());
          runtime.follow(gateway.healthCheckFollower);
          return vertx.deployVerticle(checks);
        })
        .compose(id -> {
          gateway.healthCheckDeployment = id;
          timeline.mark("health checks");
          // DNS discovery: start-up does not wait for a first answer.
          DiscoveryVerticle discovery = new DiscoveryVerticle(runtime.config(), runtime.discovered(),
              runtime::refresh, DnsDiscovery.DEFAULT_QUERY_TIMEOUT_MS);
          gateway.discoveryFollower = snapshot -> discovery.adopt(snapshot.config(), snapshot.generation());
          runtime.follow(gateway.discoveryFollower);
          return vertx.deployVerticle(discovery);
        })
        .compose(id -> {
          gateway.discoveryDeployment = id;
          timeline.mark("discovery");
          return reloader == null ? Future.<Void>succeededFuture() : reloader.prime(configBytes);
        })
        .map(v -> {
          if (watcher != null) {
            watcher.start();
          }
          runtime.readiness().serving();
          jvmMeters.bindAfter(runtime.scheduler(), DeferredJvmMeters.DELAY_MS);
          timeline.mark("reload and ready");
          timeline.log(LOG);
          LOG.info("portcullis ready: listening on {}:{} with {} event-loop instance(s), admin on {}:{}, {} route(s), {} upstream(s), transport {}",
              config.server().host(), runtime.boundPort(), instances, config.admin().host(), gateway.admin.port(),
              config.routes().size(), config.upstreams().size(), vertx.isNativeTransportEnabled() ? "epoll" : "nio");
          return gateway;
        })
        .recover(err -> {
          gateway.closeJvmMeters();
          return vertx.close().transform(ignored -> Future.failedFuture(err));
        });
  }

  /** The running gateway as a reload sees it: the snapshot is built off the event loops, then swapped in. */
  private static ReloadTarget reloadTarget(GatewayRuntime runtime) {
    return new ReloadTarget() {
      @Override
      public GatewayConfig current() {
        return runtime.config();
      }

      @Override
      public Installation prepare(GatewayConfig effective) {
        JvmTrust.loadFor(effective);   // a reload is prepared off the event loops
        RuntimeSnapshot next = runtime.prepare(effective);
        return () -> runtime.install(next);
      }
    };
  }

  /**
   * Reloads the configuration file, then the listener's certificate ({@code trigger} names the
   * cause in the log). Completes with the file's outcome; fails when the gateway has no
   * configuration file or is shutting down.
   */
  public Future<ReloadOutcome> reload(String trigger) {
    return reloads.reload(trigger).map(Reloads.Result::config);
  }

  /** The main port actually bound. */
  public int port() {
    return runtime.boundPort();
  }

  /** The admin port actually bound. */
  public int adminPort() {
    return admin.port();
  }

  /** Lifecycle phase and readiness. */
  public Readiness readiness() {
    return runtime.readiness();
  }

  /** Shared runtime state (upstreams, breakers), for the admin view and tests. */
  public GatewayRuntime runtime() {
    return runtime;
  }

  /** The Vert.x instance. */
  public Vertx vertx() {
    return vertx;
  }

  /** Whether the gateway verticles are still deployed. */
  public boolean gatewayDeployed() {
    return gatewayDeployment != null && vertx.deploymentIDs().contains(gatewayDeployment);
  }

  /**
   * The graceful shutdown of README "Signals and shutdown", each phase logged: readiness DOWN at once; serve on
   * for {@code drainMs} with {@code Connection: close}; stop accepting and wait up to
   * {@code graceMs} for in-flight requests (the verticles' {@code stop}); undeploy every
   * verticle. Idempotent: later calls return the same future. Does not close Vert.x: call
   * {@link #closeVertx()} once this completes (chaining it here would run its continuation on
   * an event loop that close has stopped).
   */
  public synchronized Future<Void> shutdown() {
    if (shutdown != null) {
      return shutdown;
    }
    shuttingDown.set(true);
    if (watcher != null) {
      watcher.stop();
    }
    if (reloader != null) {
      reloader.close();
    }
    long drainMs = runtime.config().shutdown().drainMs();
    long graceMs = runtime.config().shutdown().graceMs();
    runtime.readiness().advance(Readiness.Phase.DRAINING);
    vertx.eventBus().publish(DRAIN_ADDRESS, null);
    // One line as each of the five phases of README "Signals and shutdown" begins; phase 4 also
    // says how it ended.
    LOG.info("shutdown phase 1/5: readiness DOWN ({} request(s) in flight)", runtime.inFlight());
    LOG.info("shutdown phase 2/5: serving for drainMs = {} ms, with Connection: close and HTTP/2 GOAWAY", drainMs);
    Promise<Void> drained = Promise.promise();
    // Completed with the requests still in flight when graceMs has passed, or 0 if none was.
    Promise<Integer> graceOver = Promise.promise();
    Scheduler.Cancellable[] graceTimer = {() -> false};
    if (drainMs > 0) {
      runtime.scheduler().schedule(drainMs, drained::complete);
    } else {
      drained.complete();
    }
    shutdown = drained.future()
        .compose(v -> {
          runtime.readiness().advance(Readiness.Phase.STOPPING);
          LOG.info("shutdown phase 3/5: drain over; no longer accepting connections");
          LOG.info("shutdown phase 4/5: waiting up to graceMs = {} ms for {} in-flight request(s)", graceMs, runtime.inFlight());
          // What is still in flight when the grace period ends is cut off by the undeploy (its
          // connections closed), after which nothing counts as in flight: count it here.
          graceTimer[0] = runtime.scheduler().schedule(graceMs, () -> graceOver.tryComplete(runtime.inFlight()));
          return gatewayDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(gatewayDeployment);
        })
        .compose(v -> settled(500))
        .compose(v -> {
          graceTimer[0].cancel();
          graceOver.tryComplete(0);
          int cut = graceOver.future().result();
          int left = runtime.inFlight();
          if (cut == 0 && left == 0) {
            LOG.info("shutdown phase 4/5: every in-flight request finished");
          } else {
            LOG.warn("shutdown phase 4/5: grace period over with {} request(s) still in flight, their connections closed",
                Math.max(cut, left));
          }
          LOG.info("shutdown phase 5/5: undeploying every verticle, then closing Vert.x and exiting");
          return adminDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(adminDeployment);
        })
        .compose(v -> {
          if (healthCheckFollower != null) {
            runtime.unfollow(healthCheckFollower);
          }
          return healthCheckDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(healthCheckDeployment);
        })
        .compose(v -> {
          if (discoveryFollower != null) {
            runtime.unfollow(discoveryFollower);
          }
          return discoveryDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(discoveryDeployment);
        })
        .compose(v -> flushTraces())
        .compose(v -> demo == null ? Future.<Void>succeededFuture() : demo.stop())
        .onSuccess(v -> LOG.info("shutdown: every verticle undeployed"))
        .onFailure(err -> LOG.error("shutdown failed", err));
    return shutdown;
  }

  /** Exports the spans still queued (OTLP), waiting at most {@link #TRACE_FLUSH_MS}. */
  private Future<Void> flushTraces() {
    return Future.fromCompletionStage(runtime.snapshot().tracing().shutdown(TRACE_FLUSH_MS), vertx.getOrCreateContext());
  }

  /**
   * Completes once no request is counted in flight, or after {@code maxMs}: a response that has
   * just ended may still be finishing its bookkeeping when its connection closes.
   */
  private Future<Void> settled(long maxMs) {
    Promise<Void> done = Promise.promise();
    long deadline = runtime.ticker().nanos() + maxMs * 1_000_000L;
    checkSettled(done, deadline);
    return done.future();
  }

  private void checkSettled(Promise<Void> done, long deadlineNanos) {
    if (runtime.inFlight() == 0 || runtime.ticker().nanos() - deadlineNanos >= 0) {
      done.complete();
    } else {
      runtime.scheduler().schedule(10, () -> checkSettled(done, deadlineNanos));
    }
  }

  /** Closes Vert.x (after {@link #shutdown()}). */
  public Future<Void> closeVertx() {
    closeJvmMeters();
    return vertx.close().onSuccess(v -> LOG.info("Vert.x closed"));
  }

  private void closeJvmMeters() {
    jvmMeters.close();
  }
}
