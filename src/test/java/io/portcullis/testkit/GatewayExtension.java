package io.portcullis.testkit;

import io.portcullis.lifecycle.GatewayOptions;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up every gateway integration test shares: real backends, a real gateway in front of
 * them, and one {@link GatewayClient} for the whole class. Register it on a static field,
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayExtension harness = GatewayExtension.keepAlive();
 * private final GatewayClient client = harness.client();
 * }</pre>
 *
 * then each test says only what is particular to it:
 * {@code FakeBackend backend = harness.backend(req -> ...); TestGateway gateway = harness.proxyTo(backend.port());}.
 *
 * <p>Everything a test starts through it (backends, gateways, refusing ports, anything given to
 * {@link #add}) is closed after that test, newest first, so a gateway closes before the backends
 * it was started in front of. The client is created on first use and closed after the class
 * (after each test when the extension is registered on an instance field). Before the first test
 * the JVM is warmed up once ({@link JvmWarmup}), so timing assertions of the first test do not
 * measure class loading.
 */
public final class GatewayExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
    AfterAllCallback {

  private final boolean keepAlive;
  private final Closer perTest = new Closer();
  private GatewayClient client;
  private boolean classLevel;

  private GatewayExtension(boolean keepAlive) {
    this.keepAlive = keepAlive;
  }

  /** A harness whose client keeps its connections open between requests. */
  public static GatewayExtension keepAlive() {
    return new GatewayExtension(true);
  }

  /**
   * A harness whose client opens a new connection for every request, so consecutive requests
   * alternate between the gateway's event-loop instances.
   */
  public static GatewayExtension newConnectionPerRequest() {
    return new GatewayExtension(false);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    classLevel = true;
    JvmWarmup.once();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    JvmWarmup.once(); // at once when it ran before the class already
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      perTest.afterEach(context);
    } finally {
      if (!classLevel) {
        closeClient();
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeClient();
  }

  private synchronized void closeClient() {
    if (client != null) {
      GatewayClient closing = client;
      client = null;
      closing.close();
    }
  }

  /** The client of this class, created on first use. */
  public synchronized GatewayClient client() {
    if (client == null) {
      client = GatewayClient.create(keepAlive);
    }
    return client;
  }

  /** Closes {@code resource} after the test (newest first); returns it. */
  public <T extends AutoCloseable> T add(T resource) {
    return perTest.add(resource);
  }

  /** A backend answering with {@code handler}, closed after the test. */
  public FakeBackend backend(Handler<HttpServerRequest> handler) {
    return add(FakeBackend.start(handler));
  }

  /** A backend answering 200 with {@code body} as text/plain, closed after the test. */
  public FakeBackend okBackend(String body) {
    return add(FakeBackend.ok(body));
  }

  /** A raw TCP backend behaving as {@code behaviour}, closed after the test. */
  public FaultBackend faultBackend(FaultBackend.Behaviour behaviour) {
    return add(FaultBackend.start(behaviour));
  }

  /** A loopback port that refuses every connect, reserved until the test ends (see {@link RefusedPort}). */
  public int refusedPort() {
    try {
      return add(RefusedPort.open()).port();
    } catch (IOException e) {
      throw new UncheckedIOException("reserving a refusing port", e);
    }
  }

  /** A loopback port where connects hang until their timeout, until the test ends (see {@link BlackHole}). */
  public int blackHolePort() {
    try {
      return add(BlackHole.open()).port();
    } catch (IOException e) {
      throw new UncheckedIOException("opening a black hole", e);
    }
  }

  /** A gateway started from {@code config} with the test defaults of {@link TestGateway#start(JsonObject)}. */
  public TestGateway start(JsonObject config) {
    return add(TestGateway.start(config));
  }

  /** As {@link #start(JsonObject)}, with clock, timers, random source and header timeout from {@code options}. */
  public TestGateway start(JsonObject config, GatewayOptions options) {
    return add(TestGateway.start(config, options));
  }

  /** A gateway started from (and reloading) the configuration file {@code file}. */
  public TestGateway startFromFile(Path file) {
    return add(TestGateway.startFromFile(file));
  }

  /** A gateway with one route, {@code pathPrefix "/"}, to one upstream with these endpoint ports. */
  public TestGateway proxyTo(int... ports) {
    return start(TestGateway.proxyConfig(null, ports));
  }

  /** Closes {@code resource} now, before the end of the test; it is not closed again afterwards. */
  public void closeNow(AutoCloseable resource) {
    perTest.closeNow(resource);
  }
}
