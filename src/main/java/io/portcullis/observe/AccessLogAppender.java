package io.portcullis.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.filter.Filter;
import io.netty.util.internal.shaded.org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The access log's way to stdout (README "Logs"): each line is put in a bounded lock-free queue
 * by the event loop that logged it, and one writer thread drains the queue in batches, writing
 * many lines per {@code write} to stdout. The event loop never waits: when the queue is full
 * (stdout slower than the traffic for long), the line is dropped and counted
 * ({@link #droppedLines()}, {@code portcullis_access_log_dropped_total}), and the writer logs how
 * many were dropped, once a second at most, on the operational log. Lines of one event loop are
 * written in the order they were logged.
 *
 * <p>Why not Logback's {@code AsyncAppender} over a {@code ConsoleAppender}: its queue takes a
 * lock and wakes the writer thread for every line, the console appender writes and flushes
 * every line on its own (a system call per request), and lines it drops are lost without a
 * trace. The writer here sleeps 2 ms between batches while lines keep coming, and only when
 * nothing has come for a while does it wait to be woken by the next line.
 */
public final class AccessLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private static final Logger EVENTS = LoggerFactory.getLogger("portcullis.events");
  private static final LongAdder DROPPED = new LongAdder();
  private static final long BATCH_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** Empty polls (of {@link #BATCH_PAUSE_NANOS}) before the writer waits to be woken. */
  private static final int IDLE_POLLS_BEFORE_SLEEP = 50;
  private static final long MAX_FLUSH_MILLIS = 2_000;

  private final int capacity;
  private final Supplier<OutputStream> out;
  private Queue<String> queue;
  private Thread writer;
  private volatile boolean running;
  /** True while the writer waits to be woken by the next line. */
  private volatile boolean sleeping;
  /** True once a filter was added: lines must then come through Logback, which applies it. */
  private volatile boolean filtered;

  /** An appender to stdout ({@link System#out} as it is at each write) whose queue holds up to {@code capacity} lines. */
  public AccessLogAppender(int capacity) {
    this(capacity, () -> System.out);
  }

  /** An appender to {@code out} (asked for at each write) whose queue holds up to {@code capacity} lines. */
  public AccessLogAppender(int capacity, Supplier<OutputStream> out) {
    this.capacity = capacity;
    this.out = out;
  }

  /** Access-log lines dropped since start because the queue was full (every instance). */
  public static long droppedLines() {
    return DROPPED.sum();
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    // The bounded multi-producer queue of JCTools (as Netty ships it), made directly: Netty's
    // PlatformDependent picks this same queue, but loading it logs through SLF4J while
    // Logback is still being configured, and SLF4J then prints a replay warning on stderr at every
    // start (README "Command line": a user error gets one line on stderr).
    queue = new MpscArrayQueue<>(capacity);
    running = true;
    writer = new Thread(this::drain, "portcullis-access-log");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    offer(event.getFormattedMessage());
  }

  /**
   * Queues one line for stdout, as {@link #append} does with an event's message, without the
   * Logback event around it: {@link AccessLog} hands its lines here directly while this appender
   * alone takes the access logger's lines ({@code docs/performance.md}, "Access log on against
   * off"). Never waits: a line that finds the queue full is dropped and counted.
   *
   * @return false if the line was dropped, or the appender is not started
   */
  boolean offer(String line) {
    if (!isStarted()) {
      return false;
    }
    if (!queue.offer(line)) {
      DROPPED.increment();
      return false;
    }
    if (sleeping) {
      sleeping = false;
      LockSupport.unpark(writer);
    }
    return true;
  }

  @Override
  public void addFilter(Filter<ILoggingEvent> filter) {
    filtered = true;
    super.addFilter(filter);
  }

  /** Whether a filter was ever added to this appender (lines then never bypass Logback). */
  boolean filtered() {
    return filtered;
  }

  /** Stops taking lines; the writer writes what is queued (waiting up to two seconds) and ends. */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(MAX_FLUSH_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The writer thread: batches of lines to stdout until stopped and drained. */
  private void drain() {
    byte[] buffer = new byte[64 * 1024];
    int idlePolls = 0;
    long reported = DROPPED.sum();
    long lastReportNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
    while (true) {
      int length = 0;
      String line;
      while ((line = queue.poll()) != null) {
        if (length + line.length() + 1 > buffer.length) {
          write(buffer, length);
          length = 0;
        }
        int end = ascii(line, buffer, length);
        if (end < 0) { // not ASCII, or longer than the buffer: encoded apart
          byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
          if (length + bytes.length + 1 > buffer.length) {
            write(buffer, length);
            length = 0;
            if (bytes.length + 1 > buffer.length) {
              buffer = new byte[bytes.length + 1];
            }
          }
          System.arraycopy(bytes, 0, buffer, length, bytes.length);
          end = length + bytes.length;
        }
        length = end;
        buffer[length++] = '\n';
      }
      if (length > 0) {
        write(buffer, length);
        idlePolls = 0;
      } else {
        idlePolls++;
      }
      long dropped = DROPPED.sum();
      boolean last = !running && queue.isEmpty();
      if (dropped != reported && (last || System.nanoTime() - lastReportNanos >= TimeUnit.SECONDS.toNanos(1))) {
        EVENTS.warn("access log: {} line(s) dropped (stdout could not keep up), {} since start",
            dropped - reported, dropped);
        reported = dropped;
        lastReportNanos = System.nanoTime();
      }
      if (last) {
        return;
      }
      if (!running) {
        continue;
      }
      if (idlePolls < IDLE_POLLS_BEFORE_SLEEP) {
        LockSupport.parkNanos(this, BATCH_PAUSE_NANOS);
      } else {
        sleeping = true;
        if (queue.isEmpty() && running) {
          LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
        }
        sleeping = false;
      }
    }
  }

  /**
   * Copies {@code line} into {@code buffer} from {@code at} when it is all ASCII (its UTF-8 bytes
   * are its chars: the common line needs no encoded copy of its own) and fits with a newline after it.
   *
   * @return the index after the line, or -1 (nothing to rely on written) if it is not ASCII or does not fit
   */
  static int ascii(String line, byte[] buffer, int at) {
    int length = line.length();
    if (at + length + 1 > buffer.length) {
      return -1;
    }
    for (int i = 0; i < length; i++) {
      char c = line.charAt(i);
      if (c >= 0x80) {
        return -1;
      }
      buffer[at + i] = (byte) c;
    }
    return at + length;
  }

  private void write(byte[] buffer, int length) {
    OutputStream stream = out.get();
    try {
      stream.write(buffer, 0, length);
      stream.flush();
    } catch (IOException | RuntimeException e) {
      EVENTS.error("access log: writing {} byte(s) to stdout failed", length, e);
    }
  }
}
