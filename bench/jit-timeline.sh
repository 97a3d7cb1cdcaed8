#!/usr/bin/env bash
# bench/jit-timeline.sh - when a freshly started proxy reaches its steady state: for each launch
# of the gateway and of the bare Vert.x proxy, the load is cut into pieces (a new wrk run, so new
# connections, every --piece seconds) and each piece gets its req/s and CPU per request beside
# what the JVM did in it: the JIT's compilations (how many, how many by C2, and how long they
# took; the compiler threads share the one pinned core with the event loop), its
# deoptimizations, and the young collections (JFR's jdk.Compilation, jdk.Deoptimization and
# jdk.GarbageCollection). It shows how long a benchmark's warm-up must be before its measured run
# compares the two proxies and not their JIT compilers (docs/performance.md, sixth sitting).
#
#   bench/jit-timeline.sh [options]
#     e.g. bench/jit-timeline.sh --launches 2 --seconds 120 --plot /tmp/jit-timeline.png
#
# Launches alternate (gateway, bare proxy, gateway, ...); each is `taskset -c 1 java FLAGS
# -XX:StartFlightRecording=...` on bench/run.sh's configuration (GET / proxied to an nginx
# backend on CPU 0, as wrk). Prints one table per launch, then per kind the median CPU per request
# over the launches in three windows of the load (before 30 s, 30-60 s, from 60 s on) with the
# gateway's ratio to the bare proxy in each.
#
# Options: --launches N of each kind (1), --seconds S of load per launch (120), --piece S (10),
# --conns C (64), --java-opts '...' ('-XX:+UseSerialGC -Xms32m -Xmx64m'), --jar PATH
# (target/portcullis.jar), --port-base N (18680), --nice N (as bench/run.sh), --plot FILE.png
# (needs gnuplot: CPU per request by piece, one line per launch, above the compile time by piece
# on a log scale),
# --keep. Needs wrk, nginx, taskset, python3, a JDK 17+ (jfr, javac for the bare proxy). Every
# process it starts is stopped by PID.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAUNCHES=1 SECONDS_LOAD=120 PIECE=10 CONNS=64 JAVA_OPTS_T='-XX:+UseSerialGC -Xms32m -Xmx64m'
JAR=$ROOT/target/portcullis.jar PORT_BASE=18680 NICE="" PLOT="" KEEP=no
while [ $# -gt 0 ]; do
  case $1 in
    --launches) LAUNCHES=$2; shift 2 ;;
    --seconds) SECONDS_LOAD=$2; shift 2 ;;
    --piece) PIECE=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --java-opts) JAVA_OPTS_T=$2; shift 2 ;;
    --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    --plot) PLOT=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for pair in launches:$LAUNCHES seconds:$SECONDS_LOAD piece:$PIECE conns:$CONNS port-base:$PORT_BASE; do
  if ! [[ ${pair#*:} =~ ^[0-9]+$ ]] || [ "${pair#*:}" -lt 1 ]; then
    echo "--${pair%%:*} must be a positive integer" >&2; exit 2
  fi
done
[ "$PIECE" -le "$SECONDS_LOAD" ] || { echo "--piece must not exceed --seconds" >&2; exit 2; }
[ -z "$NICE" ] || [[ $NICE =~ ^-?[0-9]+$ ]] || { echo "--nice must be an integer" >&2; exit 2; }
[ -r "$JAR" ] || { echo "no jar at $JAR (mvn -q -DskipTests package)" >&2; exit 2; }
for t in wrk nginx taskset python3 jfr javac; do command -v $t >/dev/null || { echo "missing '$t'" >&2; exit 2; }; done
[ -z "$PLOT" ] || command -v gnuplot >/dev/null || { echo "missing 'gnuplot' for --plot (Debian: gnuplot-nox)" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs: the proxy on CPU 1, wrk and nginx on CPU 0" >&2; exit 2; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
PRIO=()
[ -n "$NICE" ] && PRIO=(nice -n "$NICE")

. "$ROOT/bench/lib.sh"
bench_tmp jit-timeline

BACKEND=$PORT_BASE PORT=$((PORT_BASE + 1)) ADMIN=$((PORT_BASE + 2))
mkdir -p "$TMP/nginx/tmp" "$TMP/bare"
{ nginx_conf_head "$TMP/nginx" 1 4096; cat <<EOF
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$BACKEND backlog=4096;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
"${PRIO[@]}" taskset -c 0 nginx -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >/dev/null 2>&1 &
STARTED+=("$!")
wait_http "http://127.0.0.1:$BACKEND/" "$!" 10 \
  || { log "the backend nginx did not start: $(tail -1 "$TMP/nginx/error.log" 2>/dev/null)"; exit 1; }
# bench/run.sh's configuration (the proxied GET / is its last route), every upstream on the one backend
bench_gateway_config "$TMP/gateway.json" "$PORT" "$ADMIN" false "" "" "$BACKEND" "$((PORT_BASE + 9))" \
  "$BACKEND" "$BACKEND" "$BACKEND"
cat >"$TMP/timeline.jfc" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="bench/jit-timeline.sh">
  <event name="jdk.Compilation"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
  <event name="jdk.Deoptimization"><setting name="enabled">true</setting><setting name="stackTrace">false</setting></event>
  <event name="jdk.GarbageCollection"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
</configuration>
EOF
javac -d "$TMP/bare" -cp "$JAR" "$ROOT/bench/BareProxy.java" || exit 1

now_ms() { date +%s%3N; }
HZ=$(getconf CLK_TCK)
PIECES=$(( SECONDS_LOAD / PIECE ))
: >"$TMP/pieces.tsv"
for n in $(seq 1 "$LAUNCHES"); do
  for kind in gw bare; do
    JFR="$TMP/$kind-$n.jfr"
    rec=("-XX:StartFlightRecording=settings=$TMP/timeline.jfc,filename=$JFR,dumponexit=true")
    # shellcheck disable=SC2086
    if [ $kind = gw ]; then
      "${PRIO[@]}" taskset -c 1 java $JAVA_OPTS_T "${rec[@]}" -jar "$JAR" --config "$TMP/gateway.json" \
        >"$TMP/$kind-$n.log" 2>&1 &
    else
      "${PRIO[@]}" taskset -c 1 java $JAVA_OPTS_T "${rec[@]}" -cp "$JAR:$TMP/bare" BareProxy "$PORT" \
        "http://127.0.0.1:$BACKEND" >"$TMP/$kind-$n.log" 2>&1 &
    fi
    PID=$!; STARTED+=("$PID")
    wait_http "http://127.0.0.1:$PORT/" "$PID" 30 || { log "$kind launch $n did not answer (see $TMP/$kind-$n.log)"; exit 1; }
    log "$kind launch $n: $PIECES pieces of ${PIECE}s at c$CONNS"
    for p in $(seq 1 "$PIECES"); do
      read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$PID/stat")
      t0=$(now_ms)
      "${PRIO[@]}" taskset -c 0 wrk -t1 -c"$CONNS" -d"${PIECE}s" "http://127.0.0.1:$PORT/" >"$TMP/wrk.txt"
      t1=$(now_ms)
      read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$PID/stat")
      r=$(awk '/^ *[0-9]+ requests in/ {print $1}' "$TMP/wrk.txt")
      [ -n "$r" ] && [ "$r" -gt 0 ] || { log "$kind launch $n piece $p: wrk made no requests"; cat "$TMP/wrk.txt" >&2; exit 1; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$n" "$p" "$t0" "$t1" "$r" \
        $((u1 - u0)) $((s1 - s0)) "$HZ" "$JFR" >>"$TMP/pieces.tsv"
    done
    stop_pid "$PID"
  done
done

python3 - "$TMP/pieces.tsv" "$PIECE" "$CONNS" "$TMP/plot.tsv" <<'PY'
import collections, json, statistics, subprocess, sys
from datetime import datetime
tsv, piece, conns, plot_tsv = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = [line.rstrip('\n').split('\t') for line in open(tsv) if line.strip()]
def epoch_ms(iso):
    return datetime.fromisoformat(iso.replace('Z', '+00:00')).timestamp() * 1000
def seconds(duration):
    # JFR prints durations as ISO-8601 (PT0.0123S, PT1M2.5S); only S and M occur here
    d = duration[2:] if duration.startswith('PT') else duration
    total = 0.0
    for unit, factor in (('H', 3600), ('M', 60), ('S', 1)):
        if unit in d:
            head, d = d.split(unit, 1)
            total += float(head) * factor
    return total
def events(jfr, name):
    out = subprocess.run(['jfr', 'print', '--json', '--events', name, jfr], capture_output=True, text=True, check=True).stdout
    return json.loads(out)['recording']['events']
launches = collections.OrderedDict()
for kind, n, p, t0, t1, r, du, ds, hz, jfr in rows:
    launches.setdefault((kind, n, jfr), []).append((int(p), int(t0), int(t1), int(r), int(du), int(ds), int(hz)))
names = {'gw': 'Portcullis', 'bare': 'bare Vert.x proxy'}
windows = (('before 30 s', 0, 30), ('30-60 s', 30, 60), ('from 60 s', 60, 10**9))
by_window = collections.defaultdict(list)
plot = open(plot_tsv, 'w')
for (kind, n, jfr), pieces in launches.items():
    comp, deopt, gc = events(jfr, 'jdk.Compilation'), events(jfr, 'jdk.Deoptimization'), events(jfr, 'jdk.GarbageCollection')
    print(f'## {names[kind]}, launch {n} (c{conns}, a new wrk run every {piece} s)\n')
    print('| load s | req/s | CPU µs/req | of it user | compilations | of them C2 | compile ms | deopts | young GCs | GC pause ms |')
    print('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
    for p, t0, t1, r, du, ds, hz in pieces:
        def inside(e):
            return t0 <= epoch_ms(e['values']['startTime']) < t1
        c = [e for e in comp if inside(e)]
        c2 = sum(1 for e in c if e['values'].get('compileLevel') == 4)
        cms = sum(seconds(e['values']['duration']) for e in c) * 1000
        d = sum(1 for e in deopt if inside(e))
        g = [e for e in gc if inside(e)]
        gms = sum(seconds(e['values'].get('sumOfPauses', 'PT0S')) for e in g) * 1000
        cpu = (du + ds) * 1e6 / hz / r
        user = du * 1e6 / hz / r
        end_s = p * piece
        print(f'| {end_s - piece}-{end_s} | {r * 1000 / (t1 - t0):,.0f} | {cpu:.1f} | {user:.1f} | {len(c)} | {c2} | {cms:,.0f} | {d} | {len(g)} | {gms:.0f} |')
        plot.write(f'{kind}\t{n}\t{end_s - piece / 2}\t{cpu:.2f}\t{cms:.1f}\n')
        for label, lo, hi in windows:
            if lo <= end_s - piece and end_s <= hi:
                by_window[(kind, label)].append((n, cpu))
    print()
plot.close()
print(f'## Median CPU µs per request by window of the load (pieces wholly inside it, over all launches)\n')
print('| window | Portcullis | bare Vert.x proxy | Portcullis ÷ bare |')
print('|---|--:|--:|--:|')
for label, lo, hi in windows:
    g = [c for _, c in by_window.get(('gw', label), [])]
    b = [c for _, c in by_window.get(('bare', label), [])]
    if g and b:
        mg, mb = statistics.median(g), statistics.median(b)
        print(f'| {label} | {mg:.1f} | {mb:.1f} | {mg / mb:.2f}× |')
PY

if [ -n "$PLOT" ]; then
  gnuplot <<GP || { echo "gnuplot failed" >&2; exit 1; }
set terminal pngcairo size 1000,700 noenhanced font ",11"
set output '$PLOT'
set datafile separator "\t"
set multiplot layout 2,1 title "After start-up, c$CONNS, a new wrk run every ${PIECE} s (bench/jit-timeline.sh)"
set grid
set key outside right top box
set xrange [0:$SECONDS_LOAD]
set ylabel "CPU per request (µs)"
set yrange [0:*]
plot for [n=1:$LAUNCHES] '$TMP/plot.tsv' using (strcol(1) eq 'gw' && \$2 == n ? \$3 : 1/0):4 with linespoints lw 2 pt 7 lc rgb '#1f4e99' title sprintf('Portcullis #%d', n), \
     for [n=1:$LAUNCHES] '$TMP/plot.tsv' using (strcol(1) eq 'bare' && \$2 == n ? \$3 : 1/0):4 with linespoints lw 2 pt 5 lc rgb '#b35900' title sprintf('bare proxy #%d', n)
set xlabel "seconds of load since the first request"
set ylabel "JIT compile time in the piece (ms, log)"
# A log scale, so that a recompilation of a few hundred ms in the steady state shows beside the
# seconds of the first pieces; a piece with less than 1 ms is drawn at 1.
set logscale y
set yrange [1:*]
plot for [n=1:$LAUNCHES] '$TMP/plot.tsv' using (strcol(1) eq 'gw' && \$2 == n ? \$3 : 1/0):(\$5 < 1 ? 1 : \$5) with linespoints lw 2 pt 7 lc rgb '#1f4e99' title sprintf('Portcullis #%d', n), \
     for [n=1:$LAUNCHES] '$TMP/plot.tsv' using (strcol(1) eq 'bare' && \$2 == n ? \$3 : 1/0):(\$5 < 1 ? 1 : \$5) with linespoints lw 2 pt 5 lc rgb '#b35900' title sprintf('bare proxy #%d', n)
unset multiplot
GP
  log "plot: $PLOT"
fi
