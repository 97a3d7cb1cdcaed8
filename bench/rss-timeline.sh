#!/usr/bin/env bash
# bench/rss-timeline.sh - the gateway's resident size over one launch, per JVM flag set.
#
# Each contender is a fresh gateway JVM (bench/run.sh's configuration, one backend nginx), pinned
# to the upper half of the CPUs; its resident size (VmRSS) and high-water mark (VmHWM) are read
# every --interval seconds from launch through four phases on new connections each: --c64 seconds
# at 64 connections, --c8 seconds at 8, --c64b seconds at 64 again, optionally --c1024 seconds at
# 1,024 (its clients all close at its end, with requests in flight), then --idle seconds without
# load. The launches are alternated, --launches of each. Prints one row per launch (peak, the
# resident size at the end of the load and at the end of the idle phase, req/s per phase) and
# writes every sample to a TSV; --plot PNG draws resident size against time, one line per launch
# (gnuplot).
#
#   bench/rss-timeline.sh [options] NAME='JVM FLAGS' ...
#     the word @appcds in a flag set: an AppCDS archive made for that contender by a training run
#     with the same flags (start, 2 s of load, SIGTERM), as the Dockerfile does
#   e.g. bench/rss-timeline.sh --nice -10 --plot /tmp/rss.png \
#          plain='-XX:+UseSerialGC -Xms32m -Xmx64m @appcds' \
#          trim='-XX:+UseSerialGC -Xms32m -Xmx64m -XX:TrimNativeHeapInterval=1000 @appcds'
#
# Options: --launches N (2), --c64 S (40), --c8 S (10), --c64b S (10), --c1024 S (0: no such phase), --idle S (10),
# --interval S (0.5), --jar PATH (target/portcullis.jar), --nice N (as bench/run.sh), --tsv FILE
# (the samples; default in the temp dir, kept with --keep), --plot PNG, --port-base N (18480),
# --keep. Every process it starts is stopped by PID on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAUNCHES=2 C64=40 C8=10 C64B=10 C1024=0 IDLE=10 INTERVAL=0.5 JAR=$ROOT/target/portcullis.jar NICE=0
TSV="" PLOT="" PORT_BASE=18480 KEEP=no
SPECS=()
while [ $# -gt 0 ]; do
  case $1 in
    --launches) LAUNCHES=$2; shift 2 ;;
    --c64) C64=$2; shift 2 ;;
    --c8) C8=$2; shift 2 ;;
    --c64b) C64B=$2; shift 2 ;;
    --c1024) C1024=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --interval) INTERVAL=$2; shift 2 ;;
    --jar) JAR=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    --tsv) TSV=$2; shift 2 ;;
    --plot) PLOT=$2; shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *=*) SPECS+=("$1"); shift ;;
    *) echo "not NAME='FLAGS': $1" >&2; exit 2 ;;
  esac
done
[ ${#SPECS[@]} -ge 1 ] || { echo "no contender (NAME='FLAGS')" >&2; exit 2; }
[[ $C1024 =~ ^[0-9]+$ ]] || { echo "--c1024 needs whole seconds, got $C1024" >&2; exit 2; }
[ -f "$JAR" ] || { echo "no jar at $JAR (mvn -DskipTests package)" >&2; exit 2; }
for tool in wrk nginx curl; do command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 2; }; done
[ -z "$PLOT" ] || command -v gnuplot >/dev/null || { echo "gnuplot is missing (--plot)" >&2; exit 2; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

NI=()
if [ "$NICE" != 0 ]; then
  NI=(setsid bash -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"' "$NICE")
fi
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
  NLOAD=$(( (NCPU + 1) / 2 ))
  LOADPIN=(taskset -c "0-$((NLOAD - 1))") GWPIN=(taskset -c "$NLOAD-$((NCPU - 1))")
else
  NLOAD=1 LOADPIN=() GWPIN=()
fi

. "$ROOT/bench/lib.sh"
bench_tmp rss
[ -n "$TSV" ] || TSV=$TMP/samples.tsv

BACKEND=$PORT_BASE GW=$((PORT_BASE + 10)) ADMIN=$((PORT_BASE + 11))
mkdir -p "$TMP/nginx/tmp"
{ nginx_conf_head "$TMP/nginx" "$NLOAD" 8192; cat <<EOF
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$BACKEND backlog=4096;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
"${NI[@]}" "${LOADPIN[@]}" nginx -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >/dev/null 2>&1 &
STARTED+=("$!")
wait_http "http://127.0.0.1:$BACKEND/" "$!" 10 || die "the backend nginx did not start"
bench_gateway_config "$TMP/gateway.json" "$GW" "$ADMIN" false "" "" "$BACKEND" "$((PORT_BASE + 99))" \
  "$BACKEND" "$BACKEND" "$BACKEND"
URL=http://127.0.0.1:$GW/

kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
rate() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }

start() {   # start LOG FLAGS...: the gateway; J_PID; false if it did not answer a proxied 200
  local logf=$1; shift
  "${NI[@]}" "${GWPIN[@]}" java "$@" -jar "$JAR" --config "$TMP/gateway.json" >"$logf" 2>&1 &
  J_PID=$!; STARTED+=("$J_PID")
  wait_http "$URL" "$J_PID" 60
}

declare -A ARGS
for spec in "${SPECS[@]}"; do
  name=${spec%%=*}
  read -r -a flags <<<"${spec#*=}"
  args=() cds=no
  for f in "${flags[@]}"; do if [ "$f" = @appcds ]; then cds=yes; else args+=("$f"); fi; done
  if [ $cds = yes ]; then
    log "$name: AppCDS training run"
    start "$TMP/$name-train.log" "${args[@]}" -XX:ArchiveClassesAtExit="$TMP/$name.jsa" \
      || die "$name: the training run did not start (see $TMP/$name-train.log with --keep)"
    "${LOADPIN[@]}" wrk -t1 -c8 -d2s "$URL" >/dev/null 2>&1 || true
    kill -TERM "$J_PID"   # the archive is written at exit
    for _ in $(seq 1 600); do [ -d "/proc/$J_PID" ] || break; sleep 0.1; done
    stop_pid "$J_PID"
    [ -s "$TMP/$name.jsa" ] || die "$name: the training run wrote no archive"
    args+=("-XX:SharedArchiveFile=$TMP/$name.jsa")
  fi
  ARGS[$name]="${args[*]}"
done

printf 'name\tlaunch\tt_s\trss_mib\thwm_mib\tphase\n' >"$TSV"
ROWS=()
for l in $(seq 1 "$LAUNCHES"); do
  order=("${SPECS[@]}")
  if [ $((l % 2)) = 0 ]; then   # every other launch in the reverse order
    order=(); for ((k = ${#SPECS[@]} - 1; k >= 0; k--)); do order+=("${SPECS[k]}"); done
  fi
  for spec in "${order[@]}"; do
    name=${spec%%=*}
    read -r -a args <<<"${ARGS[$name]}"
    log "$name launch $l"
    t0=$(date +%s%N)
    echo start >"$TMP/phase"
    "${NI[@]}" "${GWPIN[@]}" java "${args[@]}" -jar "$JAR" --config "$TMP/gateway.json" >"$TMP/$name-$l.log" 2>&1 &
    pid=$!; STARTED+=("$pid")
    ( while [ -d "/proc/$pid" ]; do
        awk -v n="$name" -v l="$l" -v t=$(( ($(date +%s%N) - t0) / 1000000 )) -v ph="$(cat "$TMP/phase")" \
          '$1 == "VmRSS:" {r = $2} $1 == "VmHWM:" {h = $2}
           END {if (r) printf "%s\t%s\t%.2f\t%.1f\t%.1f\t%s\n", n, l, t / 1000, r / 1024, h / 1024, ph}' \
          "/proc/$pid/status" 2>/dev/null || true
        sleep "$INTERVAL"
      done >>"$TSV" ) &
    sampler=$!
    wait_http "$URL" "$pid" 60 || die "$name did not start (see $TMP/$name-$l.log with --keep)"
    r=()
    phases=("c64:64:$C64" "c8:8:$C8" "c64b:64:$C64B")
    [ "$C1024" -gt 0 ] && phases+=("c1024:1024:$C1024")
    for p in "${phases[@]}"; do
      IFS=: read -r phase conns secs <<<"$p"
      echo "$phase" >"$TMP/phase"
      "${NI[@]}" "${LOADPIN[@]}" wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s "$URL" >"$TMP/$name-$l-$phase.wrk" 2>&1 || true
      r+=("$(rate "$TMP/$name-$l-$phase.wrk")")
    done
    loaded=$(kb "$pid" VmRSS)
    echo idle >"$TMP/phase"
    sleep "$IDLE"
    idle=$(kb "$pid" VmRSS) hwm=$(kb "$pid" VmHWM)
    stop_pid "$pid"
    wait "$sampler" 2>/dev/null || true
    ROWS+=("$(awk -v n="$name" -v l="$l" -v h="$hwm" -v a="$loaded" -v i="$idle" -v r="${r[*]}" \
      'BEGIN {k = split(r, x, " "); s = x[1]; for (j = 2; j <= k; j++) s = s " / " x[j];
              printf "| %s | %s | %.1f | %.1f | %.1f | %s |", n, l, h / 1024, a / 1024, i / 1024, s}')")
  done
done

LOADS="c64 / c8 / c64 again"; [ "$C1024" -gt 0 ] && LOADS="$LOADS / c1024"
echo "| contender | launch | peak RSS MiB | RSS at the end of the load | RSS after ${IDLE} s idle | req/s $LOADS |"
echo "|---|--:|--:|--:|--:|--:|"
printf '%s\n' "${ROWS[@]}"
echo
for spec in "${SPECS[@]}"; do echo "- ${spec%%=*}: \`${spec#*=}\`"; done
PHASES="${C64} s at c64, ${C8} s at c8, ${C64B} s at c64"; [ "$C1024" -gt 0 ] && PHASES="$PHASES, ${C1024} s at c1024"
echo "- $PHASES (new connections each), ${IDLE} s idle; samples every ${INTERVAL} s in $TSV"

if [ -n "$PLOT" ]; then
  for spec in "${SPECS[@]}"; do
    name=${spec%%=*}
    for l in $(seq 1 "$LAUNCHES"); do
      awk -F'\t' -v n="$name" -v l="$l" '$1 == n && $2 == l {print $3, $4}' "$TSV" >"$TMP/plot-$name-$l.dat"
    done
  done
  {
    echo "set terminal pngcairo size 900,480 font ',10'"
    echo "set output '$PLOT'"
    echo "set title 'Resident size over a launch (VmRSS): $PHASES, ${IDLE} s idle'"
    echo "set xlabel 'seconds since launch'; set ylabel 'MiB'; set key bottom right; set grid"
    echo "set yrange [0:*]"
    printf "plot 128 with lines dt 2 lc rgb '#aa0000' title '128 MiB'"
    sep=", " c=0
    for spec in "${SPECS[@]}"; do
      name=${spec%%=*} c=$((c + 1))
      for l in $(seq 1 "$LAUNCHES"); do
        printf "%s'%s' using 1:2 with lines lw 1.5 lc %d dt %d title '%s, launch %d'" "$sep" "$TMP/plot-$name-$l.dat" "$c" "$l" "$name" "$l"
        sep=", "
      done
    done
    echo
  } >"$TMP/plot.gp"
  gnuplot "$TMP/plot.gp" && log "plot: $PLOT"
fi
