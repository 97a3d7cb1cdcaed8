/**
 * What the tests share: real components on real sockets, and injected time.
 *
 * <ul>
 *   <li>Set-up: {@link io.portcullis.testkit.GatewayExtension} (backends, gateways and a
 *       {@link io.portcullis.testkit.GatewayClient} for a test class, closed newest first),
 *       {@link io.portcullis.testkit.Closer} for anything else a test starts;
 *       {@link io.portcullis.testkit.ChildJvm} for a test that runs the command line in a child
 *       JVM.</li>
 *   <li>Upstreams: {@link io.portcullis.testkit.FakeBackend} (an HTTP server a test programs),
 *       {@link io.portcullis.testkit.FaultBackend} (raw TCP faults),
 *       {@link io.portcullis.testkit.RefusedPort} and {@link io.portcullis.testkit.BlackHole}
 *       (connects refused, or never answered; never "open a socket on port 0, close it, use its
 *       port", which another listener may take meanwhile), WebSocket and HTTPS backends.</li>
 *   <li>Clients: {@link io.portcullis.testkit.GatewayClient}, {@link io.portcullis.testkit.RawHttp}
 *       and {@link io.portcullis.testkit.RawConnection} (exact bytes), the admin probes of
 *       {@link io.portcullis.testkit.AdminProbe}.</li>
 *   <li>Waiting: {@link io.portcullis.testkit.Await} blocks on a Vert.x future, on a vertx-junit5
 *       {@code VertxTestContext} whose checkpoints count asynchronous events, or (only where no
 *       event exists) polls a condition. An absence is proven with a sentinel request sent after
 *       the exchange, never with a sleep.</li>
 *   <li>Time: {@link io.portcullis.testkit.FakeTicker} and {@link io.portcullis.testkit.FakeScheduler}
 *       make breakers, deadlines and retries exact in unit tests.</li>
 * </ul>
 */
package io.portcullis.testkit;
