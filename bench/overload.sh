#!/usr/bin/env bash
# bench/overload.sh - overload and tail-latency benchmark of Portcullis (Linux).
#
# Two workloads, each through a freshly started gateway (generated config, access log off):
#   overload  a saturated thread-pool backend (8 workers, 40 ms each: capacity C = 200 req/s, FIFO
#             queue that keeps abandoned work) behind route /slow (deadline 1000 ms, default retry
#             and breaker); open-loop Poisson arrivals, each request on its own connection:
#             5 s at 0.5 C, 20 s at X C, 6 s at 0.5 C, for each X in --loads (default 2,1,4).
#   tail      two endpoints answering in 5 ms except 2% of requests that take 1000 ms, behind route
#             /tail; 3,000 GETs, 8 at a time.
# The concurrency mode of the saturated upstream (--mode) and the hedging of the tail route
# (--hedge) go into the generated config. Prints markdown tables on stdout (progress on stderr),
# and records the goodput points of the overload runs in docs/overload-goodput.csv (a point of the
# same --label and load replaced), then draws docs/overload-goodput.png with gnuplot.
# Every process it starts is tracked by PID and stopped on exit (also on Ctrl-C or error).
# See docs/overload.md.
set -uo pipefail

ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

MODE=off
FIXED_MAX=12
HEDGE=none
PERTRY=0
CASES=overload,tail
LOADS=2,1,4
PHASE_BEFORE=5
PHASE_LOAD=20
PHASE_AFTER=6
INSTANCES=2
SEED=1
JAR=target/portcullis.jar
PORT_BASE=18300
LABEL=""
KEEP=no
OUT=""
PLOT=yes
TAIL_WARMUP=0
DRAIN_WAIT=120
NICE=0
JAVA_OPTS=${JAVA_OPTS:-}

usage() {
  cat <<EOF
usage: bench/overload.sh [options]      (run from anywhere)
  --mode off|fixed|adaptive   upstreams.saturated.concurrency.mode (default $MODE; off writes no
                              concurrency key, so it runs on a gateway without that setting)
  --fixed-max N               the limit of --mode fixed (default $FIXED_MAX)
  --hedge none|delay:MS|percentile:P
                              routes[tail].hedge (default $HEDGE)
  --pertry MS                 upstreams.tail.retry.perTryTimeoutMs (default $PERTRY = not set)
  --cases LIST                overload,tail (default $CASES)
  --loads LIST                multiples of C for the middle overload phase (default $LOADS)
  --phases B,L,A              seconds before, during and after the load (default $PHASE_BEFORE,$PHASE_LOAD,$PHASE_AFTER)
  --quick                     --phases 2,8,4 --loads 2 (a smoke test)
  --instances N               gateway event loops (default $INSTANCES)
  --seed N                    seed of the arrival process (default $SEED)
  --label TEXT                row label (default: mode, plus hedge/pertry when set)
  --jar PATH                  gateway jar (default $JAR; built with 'mvn -q -DskipTests package' if missing)
  --port-base N               ports N (saturated backend), N+10 (gateway), N+11 (admin),
                              N+20, N+21 (tail endpoints) (default $PORT_BASE)
  --drain-wait S              after a run, wait up to S s for the backend's queue to empty (default $DRAIN_WAIT)
  --nice N                    run backends, gateway and load under 'nice -n N' (e.g. -10 as root on a
                              machine shared with other benchmarks)
  --tail-warmup N             tail case: N GETs through the route before the 3,000 measured ones,
                              not counted (default 0; a percentile hedge needs a history to start)
  --no-plot                   do not touch docs/overload-goodput.csv and .png
  --keep                      keep the temp dir (configs, logs, per-request CSVs)
  --out FILE                  also write the tables to FILE
Environment: JAVA_OPTS is passed to the gateway's JVM.
Needs: java 17+, curl, gnuplot (for the plot), and mvn if the jar is missing.
EOF
}

abspath() { case $1 in /*) echo "$1" ;; *) echo "$ORIG_PWD/$1" ;; esac; }
while [ $# -gt 0 ]; do
  case $1 in
    --mode|--fixed-max|--hedge|--pertry|--cases|--loads|--phases|--instances|--seed|--label|--jar|--port-base|--out|--drain-wait|--nice|--tail-warmup)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; usage >&2; exit 2; } ;;
  esac
  case $1 in
    --mode) MODE=$2; shift 2 ;;
    --fixed-max) FIXED_MAX=$2; shift 2 ;;
    --hedge) HEDGE=$2; shift 2 ;;
    --pertry) PERTRY=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --loads) LOADS=$2; shift 2 ;;
    --phases) IFS=, read -r PHASE_BEFORE PHASE_LOAD PHASE_AFTER <<<"$2"; shift 2 ;;
    --quick) PHASE_BEFORE=2 PHASE_LOAD=8 PHASE_AFTER=4 LOADS=2; shift ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --jar) JAR=$(abspath "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --drain-wait) DRAIN_WAIT=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    --no-plot) PLOT=no; shift ;;
    --tail-warmup) TAIL_WARMUP=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    --out) OUT=$(abspath "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case $MODE in off|fixed|adaptive) ;; *) echo "--mode: off, fixed or adaptive, got '$MODE'" >&2; exit 2 ;; esac
case $HEDGE in none|delay:[0-9]*|percentile:[0-9]*) ;; *) echo "--hedge: none, delay:MS or percentile:P, got '$HEDGE'" >&2; exit 2 ;; esac
for v in FIXED_MAX PERTRY INSTANCES SEED PORT_BASE DRAIN_WAIT PHASE_BEFORE PHASE_LOAD PHASE_AFTER; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "${v,,}: not a whole number: ${!v}" >&2; exit 2; }
done
[[ $NICE =~ ^-?[0-9]+$ ]] || { echo "--nice: not an integer: $NICE" >&2; exit 2; }
NI=(); [ "$NICE" != 0 ] && NI=(nice -n "$NICE")
[[ $LOADS =~ ^[0-9.]+(,[0-9.]+)*$ ]] || { echo "--loads: a comma list of numbers, got '$LOADS'" >&2; exit 2; }
for c in ${CASES//,/ }; do
  case $c in overload|tail) ;; *) echo "--cases: unknown case '$c' (overload,tail)" >&2; exit 2 ;; esac
done
has_case() { [[ ",$CASES," == *",$1,"* ]]; }
if [ -z "$LABEL" ]; then
  LABEL=$MODE
  [ "$MODE" = fixed ] && LABEL="fixed($FIXED_MAX)"
  [ "$HEDGE" != none ] && LABEL="$LABEL hedge=$HEDGE"
  [ "$PERTRY" != 0 ] && LABEL="$LABEL perTry=${PERTRY}ms"
fi
[[ $LABEL == *,* ]] && { echo "--label: no commas (it goes into a CSV)" >&2; exit 2; }

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites
[ "$(uname -s)" = Linux ] || die "Linux only"
command -v java >/dev/null 2>&1 || die "missing 'java' (a JDK 17 or newer: javac is needed too)"
command -v javac >/dev/null 2>&1 || die "missing 'javac' (a JDK 17 or newer)"
command -v curl >/dev/null 2>&1 || die "missing 'curl'"
if [ $PLOT = yes ] && ! command -v gnuplot >/dev/null 2>&1; then
  log "gnuplot not found: no plot (Debian/Ubuntu: apt-get install gnuplot-nox)"; PLOT=csv
fi
if [ ! -f "$JAR" ]; then
  command -v mvn >/dev/null 2>&1 || die "$JAR is missing and mvn is not installed to build it"
  log "building $JAR (mvn -q -DskipTests package)"
  mvn -q -DskipTests package >&2 || die "build failed"
  [ -f "$JAR" ] || die "build did not produce $JAR"
fi

SAT_PORT=$PORT_BASE
GW_PORT=$((PORT_BASE + 10))
ADMIN_PORT=$((PORT_BASE + 11))
TAIL_PORTS=($((PORT_BASE + 20)) $((PORT_BASE + 21)))
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $SAT_PORT $GW_PORT $ADMIN_PORT "${TAIL_PORTS[@]}"; do
  port_open "$p" && die "port $p is in use (choose others with --port-base)"
done

# ---------------------------------------------------------------- process tracking
# TMP, STARTED, stop_pid, stop_all, wait_http and the EXIT/INT/TERM traps: bench/lib.sh.
. "$ROOT/bench/lib.sh"
bench_tmp overload

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- bench programs
log "compiling bench/overload/*.java against $JAR"
mkdir -p "$TMP/classes"
javac -nowarn -d "$TMP/classes" -cp "$JAR" bench/overload/*.java >"$TMP/javac.log" 2>&1 \
  || { cat "$TMP/javac.log" >&2; die "bench/overload did not compile"; }
CP="$TMP/classes:$JAR"
# The backends and load generators are not under test: small, C1-only JVMs leave the CPUs to the gateway.
TOOL_JVM=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx512m)

# ---------------------------------------------------------------- gateway config
concurrency_json() {
  case $MODE in
    off) echo "" ;;
    fixed) echo ", \"concurrency\": { \"mode\": \"fixed\", \"max\": $FIXED_MAX }" ;;
    adaptive) echo ", \"concurrency\": { \"mode\": \"adaptive\", \"initial\": 20, \"min\": 2, \"max\": 1000 }" ;;
  esac
}
hedge_json() {
  case $HEDGE in
    none) echo "" ;;
    delay:*) echo ", \"hedge\": { \"delayMs\": ${HEDGE#delay:}, \"maxHedges\": 1 }" ;;
    percentile:*) echo ", \"hedge\": { \"percentile\": ${HEDGE#percentile:}, \"maxHedges\": 1 }" ;;
  esac
}
pertry_json() { [ "$PERTRY" = 0 ] && echo "" || echo ", \"retry\": { \"perTryTimeoutMs\": $PERTRY }"; }
cat >"$TMP/gateway.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": $GW_PORT, "instances": $INSTANCES },
  "admin": { "host": "127.0.0.1", "port": $ADMIN_PORT },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 1000 },
  "upstreams": {
    "saturated": { "endpoints": ["http://127.0.0.1:$SAT_PORT"]$(concurrency_json) },
    "tail": { "endpoints": ["http://127.0.0.1:${TAIL_PORTS[0]}", "http://127.0.0.1:${TAIL_PORTS[1]}"]$(pertry_json) }
  },
  "routes": [
    { "name": "slow", "match": { "pathPrefix": "/slow" }, "upstream": "saturated", "timeoutMs": 1000 },
    { "name": "tail", "match": { "pathPrefix": "/tail" }, "upstream": "tail"$(hedge_json) }
  ]
}
EOF
java -jar "$JAR" --config "$TMP/gateway.json" --check >"$TMP/check.log" 2>&1 || {
  cat "$TMP/check.log" >&2
  die "the gateway refuses the generated config (--mode/--hedge need a gateway that has those settings)"
}

start_gateway() {                              # start_gateway NAME: sets GW_PID
  # shellcheck disable=SC2086
  "${NI[@]}" java $JAVA_OPTS -jar "$JAR" --config "$TMP/gateway.json" >"$TMP/gateway-$1.log" 2>&1 &
  GW_PID=$!; STARTED+=("$GW_PID")
  wait_http "http://127.0.0.1:$GW_PORT/healthz/ready" $GW_PID 60 \
    || { tail -20 "$TMP/gateway-$1.log" >&2; die "gateway did not become ready"; }
}
backend_stat() { curl -s -m 5 "http://127.0.0.1:$SAT_PORT/stats" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }

# ---------------------------------------------------------------- overload runs
SUMMARY="$TMP/overload.tsv"
: >"$SUMMARY"
BACKEND_ROWS=()
if has_case overload; then
  for load in ${LOADS//,/ }; do
    "${NI[@]}" java "${TOOL_JVM[@]}" -cp "$CP" SaturatedBackend --port $SAT_PORT --workers 8 --service-ms 40 >"$TMP/saturated-$load.log" 2>&1 &
    SAT_PID=$!; STARTED+=("$SAT_PID")
    wait_http "http://127.0.0.1:$SAT_PORT/stats" $SAT_PID 30 || { cat "$TMP/saturated-$load.log" >&2; die "saturated backend did not start"; }
    start_gateway "overload-$load"
    # A just-started JVM on a busy machine may miss the 1 s deadline of its first requests: retry for 30 s.
    wait_http "http://127.0.0.1:$GW_PORT/slow" $GW_PID 30 || die "GET /slow through the gateway failed"
    log "overload $LABEL: ${PHASE_BEFORE} s at 0.5 C, ${PHASE_LOAD} s at $load C, ${PHASE_AFTER} s at 0.5 C"
    "${NI[@]}" java "${TOOL_JVM[@]}" -cp "$CP" OverloadLoad --url "http://127.0.0.1:$GW_PORT/slow" --capacity 200 \
      --phases "$PHASE_BEFORE:0.5,$PHASE_LOAD:$load,$PHASE_AFTER:0.5" --seed "$SEED" \
      --label "$LABEL" --csv "$TMP/requests-$load.csv" --summary "$SUMMARY" >"$TMP/load-$load.log" 2>&1 \
      || { cat "$TMP/load-$load.log" >&2; die "load generator failed"; }
    queued=$(backend_stat queued); t0=$SECONDS
    while [ "${queued:-0}" -gt 0 ] && [ $((SECONDS - t0)) -lt "$DRAIN_WAIT" ]; do sleep 1; queued=$(backend_stat queued); done
    BACKEND_ROWS+=("| $LABEL | $load | $(backend_stat received) | $(backend_stat served) | $(backend_stat abandoned) | ${queued:-?} |")
    stop_pid "$GW_PID"; stop_pid "$SAT_PID"
    STARTED=()
  done
fi

# ---------------------------------------------------------------- tail run
TAIL_SUMMARY="$TMP/tail.tsv"
: >"$TAIL_SUMMARY"
if has_case tail; then
  "${NI[@]}" java "${TOOL_JVM[@]}" -cp "$CP" TailBackend --ports "${TAIL_PORTS[0]},${TAIL_PORTS[1]}" >"$TMP/tail-backend.log" 2>&1 &
  TAIL_PID=$!; STARTED+=("$TAIL_PID")
  wait_http "http://127.0.0.1:${TAIL_PORTS[1]}/stats" $TAIL_PID 30 || { cat "$TMP/tail-backend.log" >&2; die "tail backend did not start"; }
  start_gateway tail
  log "tail $LABEL: 3000 GETs, 8 at a time"
  "${NI[@]}" java "${TOOL_JVM[@]}" -cp "$CP" TailLoad --url "http://127.0.0.1:$GW_PORT/tail" --requests 3000 --concurrency 8 --route-warmup "$TAIL_WARMUP" \
    --stats "http://127.0.0.1:${TAIL_PORTS[0]}/stats,http://127.0.0.1:${TAIL_PORTS[1]}/stats" \
    --label "$LABEL" --summary "$TAIL_SUMMARY" >"$TMP/tail-load.log" 2>&1 \
    || { cat "$TMP/tail-load.log" >&2; die "tail load failed"; }
  stop_all
fi

# ---------------------------------------------------------------- report
report() {
  echo "## Portcullis overload benchmark - $(date -u '+%Y-%m-%d %H:%M') UTC, $LABEL"
  echo
  echo "Gateway: \`$(basename "$JAR")\` built $(date -u -r "$JAR" "+%Y-%m-%d %H:%M") UTC (working tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")), $INSTANCES event loop(s), access log off; $(nproc) CPUs shared by gateway, backends and load$([ "$NICE" != 0 ] && echo ", all under nice $NICE"); load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  if has_case overload; then
    echo
    echo "Overload: C = 200 req/s (8 workers x 40 ms). Goodput = 2xx answers per second of the phase, in C. Latencies in ms from when each request was due. 'OK 1 s after' = every request arriving 1 s or more into the phase got a 2xx. 'send lag p99' = the load generator's own delay in sending (ms): above a few ms, the machine rather than the gateway limited the run."
    echo
    echo "| label | phase | offered (C) | s | requests | goodput (C) | 2xx p50 | 2xx p99 | 503 p99 | 200 | 503 overloaded | 503 other | 504 | other | last failure (ms into phase) | OK 1 s after | send lag p99 |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|"
    awk -F'\t' '{printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2 + 1, $3, $4, $5, $11, $12, $13, $14, $6, $7, $8, $9, $10, $15, $16, $18}' "$SUMMARY"
    echo
    echo "Status detail per phase:"
    echo
    awk -F'\t' '{printf "- %s, phase %d (%s C): %s\n", $1, $2 + 1, $3, $17}' "$SUMMARY"
    echo
    echo "Saturated backend, per run (abandoned = finished after the gateway's deadline for it had passed, or after its connection closed; queued = still waiting when the report was made):"
    echo
    echo "| label | load (C) | received | served | abandoned | queued |"
    echo "|---|--:|--:|--:|--:|--:|"
    printf '%s\n' "${BACKEND_ROWS[@]}"
  fi
  if has_case tail; then
    echo
    echo "Tail: two endpoints, 5 ms except 2% at 1000 ms; 3,000 GETs, 8 at a time, keep-alive. Latency in ms."
    echo
    echo "| label | requests | p50 | p99 | p99.9 | max | statuses | backend requests | per client request |"
    echo "|---|--:|--:|--:|--:|--:|---|--:|--:|"
    awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}' "$TAIL_SUMMARY"
  fi
}
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi

# ---------------------------------------------------------------- goodput plot
if has_case overload && [ $PLOT != no ]; then
  CSV=docs/overload-goodput.csv
  PLOT_LABEL=${LABEL// /_}
  mkdir -p docs
  # This run's points: the 0.5 C point from the first run's first phase, then each run's middle
  # phase (a run at 0.5 C itself gives the 0.5 C point instead: one point per load).
  awk -F'\t' -v l="$PLOT_LABEL" 'NR == 1 && $2 == 0 {printf "%s,%s,%s\n", l, $3, $11} $2 == 1 {printf "%s,%s,%s\n", l, $3, $11}' \
    "$SUMMARY" | awk -F, '{k = $1 "," $2; if (!(k in v)) o[++n] = k; v[k] = $0} END {for (i = 1; i <= n; i++) print v[o[i]]}' \
    >"$TMP/points.csv"
  # Earlier points of other labels, or of other loads, are kept; a point of the same label and load is replaced.
  { echo "label,offered_c,goodput_c"
    [ -f $CSV ] && tail -n +2 $CSV | awk -F, 'NR == FNR {seen[$1 "," $2] = 1; next} !(($1 "," $2) in seen)' "$TMP/points.csv" -
    cat "$TMP/points.csv"
  } >"$TMP/goodput.csv"
  mv "$TMP/goodput.csv" $CSV
  log "goodput points in $CSV"
  if [ $PLOT = yes ]; then
    gnuplot -e "csv='$CSV'; out='docs/overload-goodput.png'" bench/overload/goodput.gp 2>"$TMP/gnuplot.log" \
      && log "plot in docs/overload-goodput.png" || { cat "$TMP/gnuplot.log" >&2; log "gnuplot failed"; }
  fi
fi
