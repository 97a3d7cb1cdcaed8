#!/usr/bin/env bash
# bench/deopt.sh - what the JIT throws away when clients come and go: for each launch of the
# gateway (or of the bare Vert.x proxy), the CPU per request of a measured run that follows a
# warm-up on other connections, and the JIT deoptimizations (JFR's jdk.Deoptimization events)
# in each phase of the launch: start-up and warm-up, the switch from the warm-up's connections to
# the measured run's (the warm-up's clients close, new ones connect), the measured run, and the
# end of the measured run (its clients close with requests in flight) and the 2 s after it (the
# shutdown that follows is not counted). A deoptimization throws
# the compiled code of a method (and of every method that inlined it) away; it is compiled again
# from fresh profiles, by compiler threads that share the one pinned core with the event loop.
#
#   bench/deopt.sh [options]
#     e.g. bench/deopt.sh --launches 6 --conns 8
#          bench/deopt.sh --kind bare --launches 6
#
# Each launch: `taskset -c 1 java FLAGS -XX:StartFlightRecording=<jdk.Deoptimization only> -jar
# JAR` on one proxy route to an nginx backend (CPU 0, as wrk), a --warmup run of wrk, a
# --duration run measured (the process's utime+stime from /proc per request), a 2 s pause, stop.
# Prints one row per launch and, over all launches, the methods deoptimized most often at the
# switch and at the end, with the reason and the bytecode.
#
# Options: --kind gw|bare (gw), --launches N (4), --conns C (8), --warmup S (20), --duration S
# (8), --java-opts '...' ('-XX:+UseSerialGC -Xms32m -Xmx64m'), --jar PATH (target/portcullis.jar),
# --port-base N (18580), --top N (15), --stacks (record each event's stack and print, per phase,
# the innermost io.portcullis frame under the deoptimized methods), --keep. Needs wrk, nginx, taskset, python3, a JDK 17+
# (jfr, javac for the bare proxy). Every process it starts is stopped by PID.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KIND=gw LAUNCHES=4 CONNS=8 WARMUP=20 DURATION=8 JAVA_OPTS_D='-XX:+UseSerialGC -Xms32m -Xmx64m'
JAR=$ROOT/target/portcullis.jar PORT_BASE=18580 TOP=15 KEEP=no STACKS=false
while [ $# -gt 0 ]; do
  case $1 in
    --kind) KIND=$2; shift 2 ;;
    --launches) LAUNCHES=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --java-opts) JAVA_OPTS_D=$2; shift 2 ;;
    --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    --stacks) STACKS=true; shift ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case $KIND in gw|bare) ;; *) echo "--kind is gw or bare" >&2; exit 2 ;; esac
[ -r "$JAR" ] || { echo "no jar at $JAR (mvn -q -DskipTests package)" >&2; exit 2; }
for t in wrk nginx taskset python3 jfr; do command -v $t >/dev/null || { echo "missing '$t'" >&2; exit 2; }; done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs: the proxy on CPU 1, wrk and nginx on CPU 0" >&2; exit 2; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

. "$ROOT/bench/lib.sh"
bench_tmp deopt

BACKEND=$PORT_BASE PORT=$((PORT_BASE + 1)) ADMIN=$((PORT_BASE + 2))
mkdir -p "$TMP/nginx/tmp"
{ nginx_conf_head "$TMP/nginx" 1 4096; cat <<EOF
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$BACKEND backlog=4096;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
taskset -c 0 nginx -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >/dev/null 2>&1 &
STARTED+=("$!")
wait_http "http://127.0.0.1:$BACKEND/" "$!" 10 \
  || { log "the backend nginx did not start: $(tail -1 "$TMP/nginx/error.log" 2>/dev/null)"; exit 1; }
cat >"$TMP/gateway.json" <<JSON
{
  "server": { "host": "127.0.0.1", "port": $PORT, "instances": 1 },
  "admin": { "host": "127.0.0.1", "port": $ADMIN },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 2000 },
  "upstreams": { "backend": { "endpoints": ["http://127.0.0.1:$BACKEND"] } },
  "routes": [ { "name": "all", "match": { "pathPrefix": "/" }, "upstream": "backend" } ]
}
JSON
cat >"$TMP/deopt.jfc" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="bench/deopt.sh">
  <event name="jdk.Deoptimization"><setting name="enabled">true</setting><setting name="stackTrace">$STACKS</setting></event>
</configuration>
EOF
if [ $KIND = bare ]; then
  mkdir -p "$TMP/bare" && javac -d "$TMP/bare" -cp "$JAR" "$ROOT/bench/BareProxy.java" || exit 1
fi

now_ms() { date +%s%3N; }
requests() { awk '/^ *[0-9]+ requests in/ {print $1}' "$1"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
HZ=$(getconf CLK_TCK)
: >"$TMP/launches.tsv"
for n in $(seq 1 "$LAUNCHES"); do
  JFR="$TMP/launch-$n.jfr"
  # shellcheck disable=SC2086
  if [ $KIND = gw ]; then
    taskset -c 1 java $JAVA_OPTS_D -XX:StartFlightRecording=settings="$TMP/deopt.jfc",filename="$JFR",dumponexit=true \
      -jar "$JAR" --config "$TMP/gateway.json" >"$TMP/launch-$n.log" 2>&1 &
  else
    taskset -c 1 java $JAVA_OPTS_D -XX:StartFlightRecording=settings="$TMP/deopt.jfc",filename="$JFR",dumponexit=true \
      -cp "$JAR:$TMP/bare" BareProxy "$PORT" "http://127.0.0.1:$BACKEND" >"$TMP/launch-$n.log" 2>&1 &
  fi
  PID=$!; STARTED+=("$PID")
  ok=no
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && { ok=yes; break; }; sleep 0.05; done
  [ $ok = yes ] || { log "launch $n did not answer (see $TMP/launch-$n.log)"; exit 1; }
  t_warm=$(now_ms)
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/" >"$TMP/warm-$n.txt"
  c0=$(ticks "$PID"); t_run=$(now_ms)
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/" >"$TMP/run-$n.txt"
  c1=$(ticks "$PID"); t_end=$(now_ms)
  sleep 2
  t_stop=$(now_ms)
  stop_pid "$PID"
  r=$(requests "$TMP/run-$n.txt")
  us=$(awk -v a="$c0" -v b="$c1" -v r="$r" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / r }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$us" "$r" "$t_warm" "$t_run" "$t_end" "$t_stop" "$JFR" >>"$TMP/launches.tsv"
  log "launch $n: $us us/req over $r requests"
done

python3 - "$TMP/launches.tsv" "$TOP" "$KIND" "$CONNS" "$WARMUP" "$DURATION" "$STACKS" <<'PY'
import collections, json, subprocess, sys
from datetime import datetime
tsv, top, kind, conns, warmup, duration = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
stacks = sys.argv[7] == 'true'
def nearest(event):
    """The innermost io.portcullis frame of the event's stack (the deoptimized method's caller chain)."""
    for frame in (event.get('stackTrace') or {}).get('frames', []):
        t = frame['method']['type']['name'].replace('/', '.')
        if t.startswith('io.portcullis.'):
            return f"{t}.{frame['method']['name']}:{frame.get('lineNumber')}"
    return '(no io.portcullis frame)'

rows = [line.rstrip('\n').split('\t') for line in open(tsv) if line.strip()]
print(f'## JIT deoptimizations per phase ({kind}, c{conns}: {warmup} s warm-up, then {duration} s measured on new connections)\n')
print('| launch | CPU µs/req (measured run) | start-up and warm-up | switch (±1 s) | measured run | end of the run (clients close) |')
print('|--:|--:|--:|--:|--:|--:|')
switch, end = collections.Counter(), collections.Counter()
switch_by, end_by = collections.Counter(), collections.Counter()
for n, us, reqs, t_warm, t_run, t_end, t_stop, jfr in rows:
    t_run, t_end, t_stop = int(t_run), int(t_end), int(t_stop)
    out = subprocess.run(['jfr', 'print', '--json', '--events', 'jdk.Deoptimization', jfr],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)['recording']['events']
    phases = [0, 0, 0, 0]
    for e in events:
        v = e['values']
        # startTime is ISO-8601 with an offset; compare in epoch milliseconds
        t = datetime.fromisoformat(v['startTime'].replace('Z', '+00:00')).timestamp() * 1000
        m = v['method']
        key = (f"{m['type']['name'].replace('/', '.')}.{m['name']}", v.get('lineNumber'), v.get('reason'), v.get('instruction'))
        if t < t_run - 1000:
            phases[0] += 1
        elif t <= t_run + 1000:
            phases[1] += 1; switch[key] += 1
            if stacks: switch_by[nearest(v)] += 1
        elif t < t_end - 200:
            phases[2] += 1
        elif t < t_stop:
            phases[3] += 1; end[key] += 1
            if stacks: end_by[nearest(v)] += 1
    print(f'| {n} | {us} | {phases[0]} | {phases[1]} | {phases[2]} | {phases[3]} |')
for title, counter in (('at the switch', switch), ('at the end of the run', end)):
    print(f'\nMost often deoptimized {title} (all launches):\n')
    print('| events | method | line | reason | bytecode |')
    print('|--:|---|--:|---|---|')
    for (method, line, reason, instr), count in counter.most_common(top):
        print(f'| {count} | `{method}` | {line} | {reason} | {instr} |')
if stacks:
    for title, counter in (('at the switch', switch_by), ('at the end of the run', end_by)):
        print(f'\nDeoptimizations {title} by the innermost io.portcullis frame on the stack (all launches):\n')
        print('| events | frame |')
        print('|--:|---|')
        for frame, count in counter.most_common(top):
            print(f'| {count} | `{frame}` |')
PY
