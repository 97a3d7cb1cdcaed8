package io.portcullis.upstream.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.portcullis.testkit.Await;
import io.portcullis.testkit.Closer;
import io.portcullis.testkit.DnsTestServer;
import io.portcullis.testkit.LogCapture;
import io.portcullis.testkit.ManualScheduler;
import io.portcullis.upstream.discovery.DnsDiscovery.NameServer;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.DatagramSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DnsDiscovery} against {@link DnsTestServer}, a real DNS server on a UDP socket whose
 * answers change between refreshes. Refreshes are fired by hand ({@link ManualScheduler}): the
 * discovery scheduling its next refresh is the event that says a resolution is over.
 */
@Timeout(60)
class DnsDiscoveryTest {

  private static final String NAME = "svc.portcullis.test";
  private static final long REFRESH_MS = 5_000;
  private static final long QUERY_TIMEOUT_MS = 1_000;

  @RegisterExtension
  final Closer toClose = new Closer();

  private Vertx vertx;
  private Context context;
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<List<String>> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
    toClose.add(() -> Await.result(vertx.close()));
    context = vertx.getOrCreateContext();
  }

  @Test
  void reportsTheAddressSetWhenItChangesAndOnlyThen() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.2", "10.0.0.1");
    DnsDiscovery discovery = start(List.of(server(dns)));

    ManualScheduler.Task next = scheduler.awaitNext(10_000);
    assertThat(next.delayMs()).isEqualTo(REFRESH_MS);
    assertThat(heard).containsExactly(List.of("10.0.0.1", "10.0.0.2"));

    next = refresh(next);
    next = refresh(next);
    assertThat(heard).as("the same answer twice more").hasSize(1);
    assertThat(dns.queries(NAME)).isEqualTo(6); // A and AAAA, three times

    dns.answer(NAME, "10.0.0.3", "10.0.0.2");
    next = refresh(next);
    assertThat(heard).last().isEqualTo(List.of("10.0.0.2", "10.0.0.3"));
    assertThat(discovery.current()).isEqualTo(List.of("10.0.0.2", "10.0.0.3"));

    dns.answer(NAME, "10.0.0.3", "2001:db8::7");
    refresh(next);
    assertThat(heard).hasSize(3).last().isEqualTo(List.of("10.0.0.3", "2001:db8:0:0:0:0:0:7"));
  }

  @Test
  void aNameWithOnlyAaaaRecordsResolvesToThem() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "2001:db8::1", "2001:db8::2");
    start(List.of(server(dns)));

    scheduler.awaitNext(10_000);
    assertThat(heard).containsExactly(List.of("2001:db8:0:0:0:0:0:1", "2001:db8:0:0:0:0:0:2"));
  }

  @Test
  void anAnswerOfOneFamilyIsUsedWhenTheOtherFamilysQueryIsRefused() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.1", "10.0.0.2");
    dns.answerAaaa(NAME, new DnsTestServer.Code(DnsResponseCode.REFUSED));
    DnsDiscovery discovery;
    try (LogCapture log = LogCapture.of(DnsDiscovery.class.getName())) {
      discovery = start(List.of(server(dns)));
      ManualScheduler.Task next = scheduler.awaitNext(10_000);
      assertThat(heard).containsExactly(List.of("10.0.0.1", "10.0.0.2"));

      refresh(next);
      assertThat(heard).as("the same answer again is no change").hasSize(1);
      assertThat(log.events()).as("one warning for the streak").singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains(NAME, "AAAA", "REFUSED"));
    }
    assertThat(discovery.current()).isEqualTo(List.of("10.0.0.1", "10.0.0.2"));
  }

  @Test
  void aFailedQueryOfOneFamilyKeepsThatFamilysLastKnownAddresses() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.1", "2001:db8::1");
    DnsDiscovery discovery = start(List.of(server(dns)));
    ManualScheduler.Task next = scheduler.awaitNext(10_000);

    dns.answer(NAME, "10.0.0.3", "2001:db8::1");
    dns.answerAaaa(NAME, new DnsTestServer.Code(DnsResponseCode.SERVFAIL));
    refresh(next);

    assertThat(discovery.current()).isEqualTo(List.of("10.0.0.3", "2001:db8:0:0:0:0:0:1"));
  }

  static List<DnsTestServer.Answer> badAnswers() {
    return List.of(new DnsTestServer.Code(DnsResponseCode.NXDOMAIN), new DnsTestServer.Code(DnsResponseCode.SERVFAIL),
        new DnsTestServer.Code(DnsResponseCode.REFUSED), new DnsTestServer.Code(DnsResponseCode.NOERROR),
        new DnsTestServer.Garbage(), new DnsTestServer.Silence());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badAnswers")
  void aBadAnswerKeepsTheLastKnownSetWithOneWarningPerStreak(DnsTestServer.Answer bad) {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.1");
    DnsDiscovery discovery = start(List.of(server(dns)));
    ManualScheduler.Task next = scheduler.awaitNext(10_000);

    try (LogCapture log = LogCapture.of(DnsDiscovery.class.getName())) {
      dns.answer(NAME, bad);
      for (int i = 0; i < 3; i++) {
        next = refresh(next);
        assertThat(discovery.current()).isEqualTo(List.of("10.0.0.1"));
      }
      assertThat(heard).hasSize(1);
      assertThat(log.events()).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains(NAME, "keeping the last known [10.0.0.1]");
      });

      dns.answer(NAME, "10.0.0.1");
      next = refresh(next);
      assertThat(heard).as("the same set again is no change").hasSize(1);
      assertThat(log.events()).hasSize(2).last().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.INFO);
        assertThat(e.getFormattedMessage()).contains("resolves again");
      });

      dns.answer(NAME, bad);
      refresh(next);
      assertThat(log.events().stream().filter(e -> e.getLevel() == Level.WARN)).as("a new streak").hasSize(2);
    }
  }

  @Test
  void aServerThatIsDownKeepsTheLastKnownSetAndTheNextServerIsAsked() throws Exception {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.1");
    int nobody;
    try (DatagramSocket free = new DatagramSocket(0)) {
      nobody = free.getLocalPort();
    }
    DnsDiscovery discovery = start(List.of(new NameServer("127.0.0.1", nobody), server(dns)));
    ManualScheduler.Task next = scheduler.awaitNext(10_000);
    assertThat(heard).containsExactly(List.of("10.0.0.1"));

    dns.close();
    try (LogCapture log = LogCapture.of(DnsDiscovery.class.getName())) {
      refresh(next);
      assertThat(discovery.current()).isEqualTo(List.of("10.0.0.1"));
      assertThat(log.events()).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
          .contains("no answer within 1000 ms from 127.0.0.1:" + nobody,
              "no answer within 1000 ms from 127.0.0.1:" + dns.port()));
    }
  }

  @Test
  void aFailingServerIsFollowedByTheNextButNxdomainIsFinal() {
    DnsTestServer failing = toClose.add(DnsTestServer.start());
    DnsTestServer good = toClose.add(DnsTestServer.start());
    failing.answer(NAME, new DnsTestServer.Code(DnsResponseCode.SERVFAIL));
    good.answer(NAME, "10.0.0.9");
    start(List.of(server(failing), server(good)));
    ManualScheduler.Task next = scheduler.awaitNext(10_000);
    assertThat(heard).containsExactly(List.of("10.0.0.9"));

    failing.answer(NAME, new DnsTestServer.Code(DnsResponseCode.NXDOMAIN));
    int asked = good.queries(NAME);
    refresh(next);
    assertThat(good.queries(NAME)).as("no server is asked after NXDOMAIN").isEqualTo(asked);
    assertThat(heard).hasSize(1);
  }

  @Test
  void aFirstResolutionThatFailsReportsNothingUntilOneSucceeds() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    DnsDiscovery discovery;
    try (LogCapture log = LogCapture.of(DnsDiscovery.class.getName())) {
      discovery = start(List.of(server(dns)));
      ManualScheduler.Task next = scheduler.awaitNext(10_000);
      assertThat(discovery.current()).isEmpty();
      assertThat(heard).isEmpty();
      assertThat(log.events()).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("NXDOMAIN", "no address known yet"));

      dns.answer(NAME, "10.0.0.1");
      refresh(next);
    }
    assertThat(heard).containsExactly(List.of("10.0.0.1"));
  }

  @Test
  void closingCancelsTheNextRefreshAndNothingIsReportedAfterwards() {
    DnsTestServer dns = toClose.add(DnsTestServer.start());
    dns.answer(NAME, "10.0.0.1");
    DnsDiscovery discovery = start(List.of(server(dns)));
    ManualScheduler.Task next = scheduler.awaitNext(10_000);

    dns.answer(NAME, "10.0.0.2");
    onLoop(discovery::close);
    assertThat(next.cancelled()).isTrue();
    next.fireOn(context);
    assertThat(heard).containsExactly(List.of("10.0.0.1"));
    assertThat(scheduler.waiting()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  private static NameServer server(DnsTestServer dns) {
    return new NameServer("127.0.0.1", dns.port());
  }

  private DnsDiscovery start(List<NameServer> servers) {
    DnsDiscovery discovery = new DnsDiscovery(vertx, NAME, servers, REFRESH_MS, QUERY_TIMEOUT_MS, scheduler,
        heard::add);
    toClose.add(() -> onLoop(discovery::close));
    onLoop(discovery::start);
    return discovery;
  }

  /** Fires the refresh and returns the one scheduled after it (once that resolution is over). */
  private ManualScheduler.Task refresh(ManualScheduler.Task next) {
    next.fireOn(context);
    return scheduler.awaitNext(10_000);
  }

  private void onLoop(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      action.run();
      done.complete();
    });
    Await.result(done.future());
  }
}
