package io.portcullis.upstream.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointPoolTest {

  /** Connections by number; opens wait until the test completes them. */
  private static final class FakeConnections implements EndpointPool.Connections<Integer> {
    final ArrayDeque<Handler<AsyncResult<Integer>>> opening = new ArrayDeque<>();
    final Map<Integer, Runnable> closeListeners = new HashMap<>();
    final Set<Integer> expired = new HashSet<>();
    final List<Integer> closedByPool = new ArrayList<>();
    final Set<Integer> alreadyClosed = new HashSet<>();
    int next = 1;

    @Override
    public void open(Handler<AsyncResult<Integer>> opened) {
      opening.add(opened);
    }

    /** The oldest open completes: a new connection's number. */
    int completeOpen() {
      int connection = next++;
      opening.poll().handle(Future.succeededFuture(connection));
      return connection;
    }

    void failOpen() {
      opening.poll().handle(Future.failedFuture(new ConnectException("refused")));
    }

    /** The upstream closes {@code connection}. */
    void hangUp(int connection) {
      Runnable listener = closeListeners.remove(connection);
      if (listener != null) {
        listener.run();
      }
    }

    @Override
    public void onClose(Integer connection, Runnable closed) {
      if (alreadyClosed.contains(connection)) {
        closed.run();
        return;
      }
      closeListeners.put(connection, closed);
    }

    @Override
    public boolean reusable(Integer connection) {
      return !expired.contains(connection);
    }

    @Override
    public void close(Integer connection) {
      closedByPool.add(connection);
      hangUp(connection);
    }
  }

  private static final class Recorder implements EndpointPool.Waiter<Integer> {
    EndpointPool.Lease<Integer> lease;
    Throwable refusal;
    int told;

    @Override
    public void acquired(EndpointPool.Lease<Integer> lease) {
      this.lease = lease;
      told++;
    }

    @Override
    public void refused(Throwable cause) {
      this.refusal = cause;
      told++;
    }
  }

  private final FakeConnections connections = new FakeConnections();

  @Test
  void aConnectionGivenBackReusableIsHandedOutAgainWithoutOpeningAnother() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 4, 10, "e");
    Recorder first = new Recorder();
    pool.acquire(first);
    assertThat(connections.opening).hasSize(1);
    int c = connections.completeOpen();
    assertThat(first.lease.connection()).isEqualTo(c);

    pool.release(first.lease, true);
    Recorder second = new Recorder();
    pool.acquire(second);

    assertThat(second.lease.connection()).isEqualTo(c);
    assertThat(connections.opening).isEmpty();
    assertThat(pool.open()).isEqualTo(1);
  }

  @Test
  void theIdleConnectionUsedLastIsTakenFirst() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 4, 10, "e");
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    pool.acquire(a);
    pool.acquire(b);
    int ca = connections.completeOpen();
    int cb = connections.completeOpen();
    pool.release(a.lease, true);
    pool.release(b.lease, true);

    Recorder next = new Recorder();
    pool.acquire(next);
    assertThat(next.lease.connection()).isEqualTo(cb).isNotEqualTo(ca);
  }

  @Test
  void atMaxConnectionsRequestsWaitInOrderAndBeyondMaxPendingAreRefusedAtOnce() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 2, "svc at 10.0.0.1:80");
    Recorder holder = new Recorder();
    pool.acquire(holder);
    connections.completeOpen();
    Recorder w1 = new Recorder();
    Recorder w2 = new Recorder();
    Recorder shed = new Recorder();
    pool.acquire(w1);
    pool.acquire(w2);
    pool.acquire(shed);

    assertThat(connections.opening).as("no second connection beyond maxConnections").isEmpty();
    assertThat(pool.pending()).isEqualTo(2);
    assertThat(shed.refusal).isInstanceOf(ConnectionPoolTooBusyException.class)
        .hasMessageContaining("svc at 10.0.0.1:80");
    assertThat(w1.told + w2.told).isZero();

    pool.release(holder.lease, true);
    assertThat(w1.lease).as("the first waiter gets the connection").isNotNull();
    assertThat(w2.told).isZero();
    pool.release(w1.lease, true);
    assertThat(w2.lease.connection()).isEqualTo(w1.lease.connection());
  }

  @Test
  void maxPendingZeroRefusesEveryRequestThatWouldWait() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 0, "e");
    pool.acquire(new Recorder());
    Recorder shed = new Recorder();
    pool.acquire(shed);
    assertThat(shed.refusal).isInstanceOf(ConnectionPoolTooBusyException.class);
  }

  @Test
  void aConnectionGivenBackNotReusableIsClosedAndItsPlaceGoesToTheFirstWaiterAsANewConnection() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    Recorder holder = new Recorder();
    pool.acquire(holder);
    int c = connections.completeOpen();
    Recorder waiter = new Recorder();
    pool.acquire(waiter);

    pool.release(holder.lease, false);

    assertThat(connections.closedByPool).containsExactly(c);
    assertThat(connections.opening).as("a new connection for the waiter").hasSize(1);
    int fresh = connections.completeOpen();
    assertThat(waiter.lease.connection()).isEqualTo(fresh);
    assertThat(pool.open()).isEqualTo(1);
  }

  @Test
  void aFailedOpenRefusesItsRequestAndFreesThePlaceForTheNextWaiter() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    Recorder first = new Recorder();
    Recorder waiter = new Recorder();
    pool.acquire(first);
    pool.acquire(waiter);

    connections.failOpen();

    assertThat(first.refusal).isInstanceOf(ConnectException.class);
    assertThat(waiter.told).isZero();
    assertThat(connections.opening).as("the waiter's own attempt").hasSize(1);
    connections.failOpen();
    assertThat(waiter.refusal).isInstanceOf(ConnectException.class);
    assertThat(pool.open()).isZero();
  }

  @Test
  void anIdleConnectionTheUpstreamClosesLeavesTheIdleListAndIsNeverHandedOut() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 2, 5, "e");
    Recorder a = new Recorder();
    pool.acquire(a);
    int c = connections.completeOpen();
    pool.release(a.lease, true);

    connections.hangUp(c);

    assertThat(pool.idle()).isZero();
    assertThat(pool.open()).isZero();
    Recorder next = new Recorder();
    pool.acquire(next);
    assertThat(next.told).as("waits for a new connection").isZero();
    assertThat(connections.opening).hasSize(1);
  }

  @Test
  void aConnectionClosedWhileInUseFreesItsPlaceOnceEvenWhenItIsGivenBackAfterwards() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    Recorder holder = new Recorder();
    pool.acquire(holder);
    int c = connections.completeOpen();

    connections.hangUp(c);
    pool.release(holder.lease, true);

    assertThat(pool.open()).isZero();
    assertThat(pool.idle()).as("a closed connection never goes back to the idle list").isZero();
    Recorder a = new Recorder();
    pool.acquire(a);
    assertThat(connections.opening).hasSize(1);
  }

  @Test
  void anExpiredIdleConnectionIsClosedWhenTakenAndTheRequestGetsTheNextOne() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 4, 5, "e");
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    pool.acquire(a);
    pool.acquire(b);
    int ca = connections.completeOpen();
    int cb = connections.completeOpen();
    pool.release(a.lease, true);
    pool.release(b.lease, true);
    connections.expired.add(cb);

    Recorder next = new Recorder();
    pool.acquire(next);

    assertThat(connections.closedByPool).containsExactly(cb);
    assertThat(next.lease.connection()).isEqualTo(ca);
    assertThat(pool.open()).isEqualTo(1);
  }

  @Test
  void theSweepClosesExpiredIdleConnectionsAndReportsAnEmptyPool() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 4, 5, "e");
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    pool.acquire(a);
    pool.acquire(b);
    int ca = connections.completeOpen();
    connections.completeOpen();
    pool.release(a.lease, true);
    connections.expired.add(ca);

    assertThat(pool.sweep()).as("one connection still in use").isFalse();
    assertThat(connections.closedByPool).containsExactly(ca);
    assertThat(pool.idle()).isZero();

    pool.release(b.lease, false);
    assertThat(pool.sweep()).isTrue();
  }

  @Test
  void aConnectionThatClosedAsItOpenedRefusesItsRequest() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    connections.alreadyClosed.add(1);
    Recorder r = new Recorder();
    pool.acquire(r);
    connections.completeOpen();
    assertThat(r.refusal).hasMessageContaining("closed as it opened");
    assertThat(pool.open()).isZero();
  }

  @Test
  void closingThePoolClosesIdleConnectionsRefusesWaitersAndClosesBusyOnesWhenGivenBack() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 2, 5, "e");
    Recorder busy = new Recorder();
    Recorder idle = new Recorder();
    pool.acquire(busy);
    pool.acquire(idle);
    int cb = connections.completeOpen();
    int ci = connections.completeOpen();
    pool.release(idle.lease, true);
    Recorder waiter = new Recorder();
    Recorder third = new Recorder();
    pool.acquire(waiter); // takes the idle one
    pool.release(waiter.lease, true);
    pool.acquire(third);
    pool.release(third.lease, true);
    Recorder queued = new Recorder();
    pool.acquire(queued);
    pool.release(queued.lease, true);

    pool.close();
    assertThat(connections.closedByPool).containsExactly(ci);
    pool.release(busy.lease, true);
    assertThat(connections.closedByPool).containsExactly(ci, cb);
    Recorder late = new Recorder();
    pool.acquire(late);
    assertThat(late.refusal).hasMessageContaining("closed");
    assertThat(pool.open()).isZero();
  }

  @Test
  void waitersAreRefusedWhenThePoolCloses() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    pool.acquire(new Recorder());
    connections.completeOpen();
    Recorder waiter = new Recorder();
    pool.acquire(waiter);
    pool.close();
    assertThat(waiter.refusal).hasMessageContaining("closed");
  }

  @Test
  void aCancelledWaiterLeavesTheQueueAndIsNotTold() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 1, 5, "e");
    Recorder holder = new Recorder();
    pool.acquire(holder);
    connections.completeOpen();
    Recorder waiter = new Recorder();
    pool.acquire(waiter);

    assertThat(pool.cancel(waiter)).isTrue();
    pool.release(holder.lease, true);

    assertThat(waiter.told).isZero();
    assertThat(pool.idle()).isEqualTo(1);
  }

  @Test
  void aLeaseGivenBackTwiceIsCountedOnce() {
    EndpointPool<Integer> pool = new EndpointPool<>(connections, 2, 5, "e");
    Recorder a = new Recorder();
    pool.acquire(a);
    connections.completeOpen();
    pool.release(a.lease, true);
    pool.release(a.lease, true);
    pool.release(a.lease, false);
    assertThat(pool.idle()).isEqualTo(1);
    assertThat(pool.open()).isEqualTo(1);
  }

  @Test
  void limitsAreChecked() {
    assertThatThrownBy(() -> new EndpointPool<>(connections, 0, 1, "e")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EndpointPool<>(connections, 1, -1, "e")).isInstanceOf(IllegalArgumentException.class);
  }
}
