import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads JFR recordings made by {@code bench/run.sh alloc} and prints, as markdown, where a
 * proxied request's bytes and CPU samples go. Launched as a single source file (JDK 17+):
 *
 * <pre>
 *   java bench/JfrReport.java [--top N] NAME=FILE.jfr:REQUESTS [NAME=FILE.jfr:REQUESTS ...]
 * </pre>
 *
 * <p>REQUESTS is the number of requests served while the recording ran (wrk's count). For each
 * recording: bytes allocated per request, exact, from {@code jdk.ThreadAllocationStatistics}
 * (emitted at the recording's start and end: the difference per thread, JFR's and the attach
 * listener's own threads left out); the top allocation sites from {@code jdk.ObjectAllocationSample}
 * (shares of the samples, scaled to that exact total), by allocated class and allocating frame (the first frame
 * outside {@code java.*}/{@code jdk.*}/{@code sun.*}), with the nearest {@code io.portcullis}
 * frame; the same bytes by nearest {@code io.portcullis} method; and the CPU samples
 * ({@code jdk.ExecutionSample}: Java code only, not the kernel or the JIT) by leaf method and by
 * {@code io.portcullis} method on the stack. With two or more recordings, a last table sets the
 * bytes per request by allocated class side by side.
 */
public final class JfrReport {

  private static final String OURS = "io.portcullis.";
  private static final Set<String> SKIPPED_THREADS = Set.of("Attach Listener");

  private JfrReport() {
  }

  public static void main(String[] args) throws IOException {
    int top = 15;
    List<String[]> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--top") && i + 1 < args.length) {
        top = Integer.parseInt(args[++i]);
      } else if (args[i].matches("[^=]+=.+:\\d+")) {
        String name = args[i].substring(0, args[i].indexOf('='));
        String rest = args[i].substring(args[i].indexOf('=') + 1);
        int colon = rest.lastIndexOf(':');
        inputs.add(new String[] {name, rest.substring(0, colon), rest.substring(colon + 1)});
      } else {
        System.err.println("usage: java bench/JfrReport.java [--top N] NAME=FILE.jfr:REQUESTS ...");
        System.exit(2);
      }
    }
    if (inputs.isEmpty()) {
      System.err.println("usage: java bench/JfrReport.java [--top N] NAME=FILE.jfr:REQUESTS ...");
      System.exit(2);
    }
    List<Profile> profiles = new ArrayList<>();
    for (String[] in : inputs) {
      Profile p = Profile.read(in[0], Path.of(in[1]), Long.parseLong(in[2]));
      p.print(top);
      profiles.add(p);
    }
    if (profiles.size() > 1) {
      printSideBySide(profiles, top);
    }
  }

  /** One recording, digested. */
  private static final class Profile {
    final String name;
    final long requests;
    final Map<Long, long[]> threadAlloc = new HashMap<>();   // thread id -> {first, last}
    final Map<Long, String> threadNames = new HashMap<>();
    final Map<String, Double> sites = new HashMap<>();       // "class|site|ours" -> weight
    final Map<String, Double> byOurs = new HashMap<>();
    final Map<String, Double> byClass = new HashMap<>();
    double sampledWeight;
    long allocSamples;
    long allocTruncated;
    final Map<String, Long> cpuLeaf = new HashMap<>();
    final Map<String, Long> cpuOurs = new HashMap<>();
    final Map<String, Long> cpuNearest = new HashMap<>();
    final Map<String, Long> cpuFamily = new HashMap<>();
    long cpuSamples;
    long cpuWithOurs;
    long cpuTruncated;
    long gcCount;
    java.time.Duration gcPause = java.time.Duration.ZERO;
    java.time.Instant first;
    java.time.Instant last;

    private Profile(String name, long requests) {
      this.name = name;
      this.requests = requests;
    }

    static Profile read(String name, Path file, long requests) throws IOException {
      Profile p = new Profile(name, requests);
      Map<Long, List<RecordedEvent>> allocations = new HashMap<>();
      try (RecordingFile rf = new RecordingFile(file)) {
        while (rf.hasMoreEvents()) {
          RecordedEvent e = rf.readEvent();
          if (p.first == null || e.getStartTime().isBefore(p.first)) {
            p.first = e.getStartTime();
          }
          if (p.last == null || e.getEndTime().isAfter(p.last)) {
            p.last = e.getEndTime();
          }
          switch (e.getEventType().getName()) {
            case "jdk.ThreadAllocationStatistics" -> p.threadStats(e);
            case "jdk.ObjectAllocationSample" -> {
              RecordedThread t = e.getThread("eventThread");
              allocations.computeIfAbsent(t == null ? -1L : t.getJavaThreadId(), k -> new ArrayList<>()).add(e);
            }
            case "jdk.ExecutionSample" -> p.execution(e);
            case "jdk.GarbageCollection" -> {
              p.gcCount++;
              p.gcPause = p.gcPause.plus(e.getDuration("sumOfPauses"));
            }
            default -> { }
          }
        }
      }
      // A thread's first sample in the recording stands for what it allocated before: dropped.
      for (List<RecordedEvent> events : allocations.values()) {
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        for (int i = 1; i < events.size(); i++) {
          p.allocation(events.get(i));
        }
      }
      return p;
    }

    private void threadStats(RecordedEvent e) {
      RecordedThread t = e.getThread("thread");
      if (t == null) {
        return;
      }
      long id = t.getJavaThreadId();
      long bytes = e.getLong("allocated");
      threadNames.put(id, t.getJavaName());
      threadAlloc.merge(id, new long[] {bytes, bytes}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }

    private void allocation(RecordedEvent e) {
      RecordedThread t = e.getThread("eventThread");
      if (t != null && skipped(t.getJavaName())) {
        return;
      }
      RecordedClass type = e.getClass("objectClass");
      // Each sample counts once. Its "weight" (bytes since the thread's previous sample) is an
      // unbiased but very lumpy estimate: the throttle samples in bursts, and the first sample of
      // a burst carries everything allocated since the last burst (tens of MB) while the rest carry
      // one TLAB each. Within a burst every TLAB refill is sampled, whatever triggered it, so the
      // object that needed a new TLAB is picked with a probability proportional to its size: the
      // count of samples is the share of bytes.
      double weight = 1;
      String cls = type == null ? "?" : simpleType(type.getName());
      RecordedStackTrace st = e.getStackTrace();
      String site = "?";
      String ours = null;
      if (st != null) {
        if (st.isTruncated()) {
          allocTruncated++;
        }
        for (RecordedFrame f : st.getFrames()) {
          if (!f.isJavaFrame()) {
            continue;
          }
          String owner = f.getMethod().getType().getName();
          if (site.equals("?") && !(owner.startsWith("java.") || owner.startsWith("jdk.") || owner.startsWith("sun."))) {
            site = frame(f);
          }
          if (owner.startsWith(OURS)) {
            ours = method(f.getMethod());
            break;
          }
        }
      }
      String oursKey = ours == null ? "(no io.portcullis frame)" : ours;
      sites.merge(cls + "|" + site + "|" + oursKey, weight, Double::sum);
      byOurs.merge(oursKey, weight, Double::sum);
      byClass.merge(cls, weight, Double::sum);
      sampledWeight += weight;
      allocSamples++;
    }

    private void execution(RecordedEvent e) {
      RecordedStackTrace st = e.getStackTrace();
      if (st == null || st.getFrames().isEmpty()) {
        return;
      }
      RecordedThread t = e.getThread("sampledThread");
      if (t != null && skipped(t.getJavaName())) {
        return;
      }
      cpuSamples++;
      if (st.isTruncated()) {
        cpuTruncated++;
      }
      RecordedFrame leaf = st.getFrames().get(0);
      cpuLeaf.merge(method(leaf.getMethod()), 1L, Long::sum);
      cpuFamily.merge(family(leaf.getMethod().getType().getName()), 1L, Long::sum);
      Set<String> seen = new HashSet<>();
      String nearest = null;
      for (RecordedFrame f : st.getFrames()) {
        if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith(OURS)) {
          seen.add(method(f.getMethod()));
          if (nearest == null) {
            nearest = method(f.getMethod());
          }
        }
      }
      cpuNearest.merge(nearest == null ? "(no io.portcullis frame)" : nearest, 1L, Long::sum);
      if (!seen.isEmpty()) {
        cpuWithOurs++;
      }
      for (String m : seen) {
        cpuOurs.merge(m, 1L, Long::sum);
      }
    }

    long exactBytes() {
      long sum = 0;
      for (Map.Entry<Long, long[]> en : threadAlloc.entrySet()) {
        if (!skipped(threadNames.get(en.getKey()))) {
          sum += en.getValue()[1] - en.getValue()[0];
        }
      }
      return sum;
    }

    long eventLoopBytes() {
      long sum = 0;
      for (Map.Entry<Long, long[]> en : threadAlloc.entrySet()) {
        String n = threadNames.get(en.getKey());
        if (n != null && n.startsWith("vert.x-eventloop")) {
          sum += en.getValue()[1] - en.getValue()[0];
        }
      }
      return sum;
    }

    /** Bytes per request that a sampled weight stands for, scaled to the exact total. */
    double perRequest(double weight) {
      return sampledWeight == 0 || requests == 0 ? 0 : weight / sampledWeight * exactBytes() / requests;
    }

    void print(int top) {
      System.out.printf(Locale.ROOT, "### %s%n%n", name);
      long exact = exactBytes();
      System.out.printf(Locale.ROOT, "Requests: %,d. Allocated: %,d bytes, **%,.0f B/request** (event-loop threads %,.0f B/request; "
              + "other threads %,.0f). Allocation samples: %,d (%s truncated stacks). CPU samples: %,d (%s truncated).%n%n",
          requests, exact, per(exact), per(eventLoopBytes()), per(exact - eventLoopBytes()), allocSamples,
          pct(allocTruncated, allocSamples), cpuSamples, pct(cpuTruncated, cpuSamples));
      if (gcCount > 0 && first != null) {
        double seconds = java.time.Duration.between(first, last).toNanos() / 1e9;
        System.out.printf(Locale.ROOT, "Garbage collections: %d in %.1f s, %.0f ms of pauses in all (%.1f%% of the time, "
                + "%.2f µs per request).%n%n", gcCount, seconds, gcPause.toNanos() / 1e6,
            100 * gcPause.toNanos() / 1e9 / seconds, requests == 0 ? 0 : gcPause.toNanos() / 1e3 / requests);
      }

      System.out.printf(Locale.ROOT, "Top allocation sites (allocated class ← first frame outside the JDK; nearest Portcullis frame):%n%n");
      System.out.println("| # | class | site | nearest io.portcullis frame | share | B/request |");
      System.out.println("|--:|---|---|---|--:|--:|");
      int i = 0;
      for (Map.Entry<String, Double> en : sorted(sites)) {
        if (++i > top) {
          break;
        }
        String[] k = en.getKey().split("\\|", 3);
        System.out.printf(Locale.ROOT, "| %d | `%s` | `%s` | %s | %.1f%% | %.0f |%n", i, k[0], k[1],
            k[2].startsWith("(") ? k[2] : "`" + k[2] + "`", 100 * en.getValue() / sampledWeight, perRequest(en.getValue()));
      }
      System.out.println();
      boolean anyOurs = cpuWithOurs > 0 || byOurs.size() > 1;
      if (!anyOurs) {
        System.out.println("No io.portcullis frame in this recording: the by-method tables are left out.");
        System.out.println();
        printCpuLeaves(top);
        return;
      }
      System.out.println("Bytes by nearest io.portcullis method on the stack (what Portcullis code, and the library calls it makes, allocates):");
      System.out.println();
      System.out.println("| # | method | share | B/request |");
      System.out.println("|--:|---|--:|--:|");
      i = 0;
      for (Map.Entry<String, Double> en : sorted(byOurs)) {
        if (++i > top) {
          break;
        }
        System.out.printf(Locale.ROOT, "| %d | %s | %.1f%% | %.0f |%n", i,
            en.getKey().startsWith("(") ? en.getKey() : "`" + en.getKey() + "`",
            100 * en.getValue() / sampledWeight, perRequest(en.getValue()));
      }
      System.out.println();
      if (cpuSamples > 0) {
        System.out.printf(Locale.ROOT, "CPU samples (Java code only): %s have an io.portcullis frame on the stack. By leaf family: %s.%n%n",
            pct(cpuWithOurs, cpuSamples), families());
        System.out.println("Self = the leaf method. Nearest = the innermost io.portcullis method on the stack: its own code"
            + " and the library code it calls directly. Inclusive = an io.portcullis method anywhere on the stack.");
        System.out.println();
        System.out.println("| # | leaf method (self) | share | nearest io.portcullis method | share | io.portcullis method (inclusive) | share |");
        System.out.println("|--:|---|--:|---|--:|---|--:|");
        List<Map.Entry<String, Long>> leaves = sortedLong(cpuLeaf);
        List<Map.Entry<String, Long>> nearest = sortedLong(cpuNearest);
        List<Map.Entry<String, Long>> ours = sortedLong(cpuOurs);
        for (int r = 0; r < top && (r < leaves.size() || r < nearest.size() || r < ours.size()); r++) {
          System.out.println("| " + (r + 1) + " | " + cell(leaves, r) + " | " + cell(nearest, r) + " | " + cell(ours, r) + " |");
        }
        System.out.println();
      }
    }

    private void printCpuLeaves(int top) {
      if (cpuSamples == 0) {
        return;
      }
      System.out.printf(Locale.ROOT, "CPU samples (Java code only), by leaf family: %s.%n%n", families());
      System.out.println("| # | leaf method (self) | share |");
      System.out.println("|--:|---|--:|");
      List<Map.Entry<String, Long>> leaves = sortedLong(cpuLeaf);
      for (int r = 0; r < top && r < leaves.size(); r++) {
        System.out.println("| " + (r + 1) + " | " + cell(leaves, r) + " |");
      }
      System.out.println();
    }

    private String cell(List<Map.Entry<String, Long>> rows, int r) {
      if (r >= rows.size()) {
        return " | ";
      }
      String key = rows.get(r).getKey();
      return (key.startsWith("(") ? key : "`" + key + "`") + " | " + pct(rows.get(r).getValue(), cpuSamples);
    }

    private String families() {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Long> en : sortedLong(cpuFamily)) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(en.getKey()).append(' ').append(pct(en.getValue(), cpuSamples));
      }
      return sb.toString();
    }

    private double per(long bytes) {
      return requests == 0 ? 0 : (double) bytes / requests;
    }
  }

  private static void printSideBySide(List<Profile> profiles, int top) {
    System.out.println("### Bytes per request by allocated class, side by side");
    System.out.println();
    StringBuilder head = new StringBuilder("| class |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Profile p : profiles) {
      head.append(' ').append(p.name).append(" |");
      rule.append("--:|");
    }
    System.out.println(head);
    System.out.println(rule);
    Map<String, Double> order = new LinkedHashMap<>();
    for (Profile p : profiles) {
      for (Map.Entry<String, Double> en : p.byClass.entrySet()) {
        order.merge(en.getKey(), p.perRequest(en.getValue()), Math::max);
      }
    }
    int i = 0;
    for (Map.Entry<String, Double> en : sorted(order)) {
      if (++i > top * 2) {
        break;
      }
      StringBuilder row = new StringBuilder("| `" + en.getKey() + "` |");
      for (Profile p : profiles) {
        row.append(String.format(Locale.ROOT, " %.0f |", p.perRequest(p.byClass.getOrDefault(en.getKey(), 0.0))));
      }
      System.out.println(row);
    }
    StringBuilder total = new StringBuilder("| **total** |");
    for (Profile p : profiles) {
      total.append(String.format(Locale.ROOT, " **%.0f** |", p.requests == 0 ? 0.0 : (double) p.exactBytes() / p.requests));
    }
    System.out.println(total);
    System.out.println();
  }

  private static boolean skipped(String thread) {
    return thread != null && (thread.startsWith("JFR") || SKIPPED_THREADS.contains(thread));
  }

  private static String family(String type) {
    if (type.startsWith(OURS)) {
      return "io.portcullis";
    }
    if (type.startsWith("io.netty.")) {
      return "netty";
    }
    if (type.startsWith("io.vertx.")) {
      return "vert.x";
    }
    if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
      return "jdk";
    }
    if (type.startsWith("io.micrometer.")) {
      return "micrometer";
    }
    if (type.startsWith("ch.qos.logback.") || type.startsWith("org.slf4j.")) {
      return "logging";
    }
    if (type.startsWith("io.opentelemetry.")) {
      return "opentelemetry";
    }
    return "other";
  }

  private static String frame(RecordedFrame f) {
    int line = f.getLineNumber();
    return method(f.getMethod()) + (line > 0 ? ":" + line : "");
  }

  private static String method(RecordedMethod m) {
    return shortType(m.getType().getName()) + "." + m.getName();
  }

  /**
   * {@code io.portcullis.proxy.ProxyHandler} → {@code proxy.ProxyHandler}; others → simple name;
   * a lambda's generated class → {@code Owner$$Lambda}.
   */
  private static String shortType(String name) {
    int lambda = name.indexOf("$$Lambda");
    if (lambda >= 0) {
      name = name.substring(0, lambda + "$$Lambda".length());
    }
    if (name.startsWith(OURS)) {
      return name.substring(OURS.length());
    }
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }

  /**
   * An allocated class, short: {@code [Ljava.lang.Object;} → {@code Object[]}, packages dropped
   * except below {@code io.portcullis}.
   */
  private static String simpleType(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    String base = name.substring(dims);
    if (dims > 0) {
      base = switch (base) {
        case "B" -> "byte";
        case "C" -> "char";
        case "S" -> "short";
        case "I" -> "int";
        case "J" -> "long";
        case "F" -> "float";
        case "D" -> "double";
        case "Z" -> "boolean";
        default -> base.startsWith("L") && base.endsWith(";") ? base.substring(1, base.length() - 1) : base;
      };
    }
    int lambda = base.indexOf("$$Lambda");
    if (lambda >= 0) {
      base = base.substring(0, lambda + "$$Lambda".length());
    }
    if (base.startsWith(OURS)) {
      base = base.substring(OURS.length());
    } else if (base.lastIndexOf('.') >= 0) {
      base = base.substring(base.lastIndexOf('.') + 1);
    }
    return base + "[]".repeat(dims);
  }

  private static String pct(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  private static List<Map.Entry<String, Double>> sorted(Map<String, Double> m) {
    List<Map.Entry<String, Double>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
    return l;
  }

  private static List<Map.Entry<String, Long>> sortedLong(Map<String, Long> m) {
    List<Map.Entry<String, Long>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    return l;
  }
}
