#!/usr/bin/env bash
# bench/startup.sh - start-up of the gateway: launch to its first proxied 200, per JVM flag set,
# alternated over rounds (so the machine's load drifts fall on every set alike), with the median.
#
#   bench/startup.sh [options] NAME='FLAGS' ...
#     e.g. bench/startup.sh --rounds 7 serial='-XX:+UseSerialGC -Xmx64m' \
#            cds='-XX:+UseSerialGC -Xmx64m @appcds'
#
# Each launch is `taskset -c CPU java FLAGS -jar JAR --config <one proxy route to an nginx
# backend>`; the clock runs from the launch to the first `GET /` that comes back 200 with the
# backend's body (polled every 10 ms), then the JVM is stopped. '@appcds' in FLAGS is replaced by
# -XX:SharedArchiveFile of an archive made first by a training run of that set (as the Dockerfile
# does: -XX:ArchiveClassesAtExit, start, 2 s of load, SIGTERM), from the same jar. '@jar=PATH' in
# FLAGS runs that set on another jar (two builds compared in alternation). Prints one row per
# launch and a table of medians: wall time, the CPU time of the whole JVM up to the first 200
# (user + system of every thread, /proc/PID/stat; robust on a shared machine where wall time is
# not), that CPU split by thread (the main thread, the JIT compiler threads, the event loops, the
# rest; /proc/PID/task/*/schedstat), and the peak RSS.
#
# Options: --rounds N (5), --cpu C (0: the CPU the JVM is pinned to), --jar PATH
# (target/portcullis.jar), --port-base N (18480), --keep. Every process it starts is stopped by PID.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=5 CPU=0 JAR=$ROOT/target/portcullis.jar PORT_BASE=18480 KEEP=no
SPECS=()
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --cpu) CPU=$2; shift 2 ;;
    --jar) JAR=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *=*) SPECS+=("$1"); shift ;;
    *) echo "not NAME='FLAGS': $1" >&2; exit 2 ;;
  esac
done
[ ${#SPECS[@]} -ge 1 ] || { echo "no flag set (NAME='FLAGS')" >&2; exit 2; }
[ -r "$JAR" ] || { echo "no jar at $JAR (mvn -q -DskipTests package)" >&2; exit 2; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# This script, its poller (a curl every 10 ms), the backend and the training's load run on the other
# CPUs, as bench/run.sh and bench/ab.sh keep their load off the gateway's cores: sharing the pinned
# CPU, the poller's processes took CPU time from the launch being measured.
OTHER_CPUS=$(awk -v c="$CPU" 'BEGIN{FS=","} {n=split($0, r, ","); for (i=1;i<=n;i++) {split(r[i], ab, "-"); hi=(ab[2]==""?ab[1]:ab[2]); for (k=ab[1];k<=hi;k++) if (k!=c) o=o (o==""?"":",") k}} END{print o}' /sys/devices/system/cpu/online)
[ -n "$OTHER_CPUS" ] && taskset -pc "$OTHER_CPUS" $$ >/dev/null

. "$ROOT/bench/lib.sh"
bench_tmp startup

BACKEND=$PORT_BASE GW=$((PORT_BASE + 1)) ADMIN=$((PORT_BASE + 2))
mkdir -p "$TMP/nginx/tmp"
{ nginx_conf_head "$TMP/nginx" 1 1024; cat <<EOF
    server {
        listen 127.0.0.1:$BACKEND;
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
nginx -p "$TMP/nginx/" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >/dev/null 2>&1 &
NGINX_PID=$!; STARTED+=("$NGINX_PID")
wait_http "http://127.0.0.1:$BACKEND/" "$NGINX_PID" 10
sleep 0.3
# Another process on the backend port would answer in its place (and may go away mid-run).
[ -d "/proc/$NGINX_PID" ] || { log "the backend nginx did not start (port $BACKEND in use? --port-base N): $(tail -1 "$TMP/nginx/error.log")"; exit 1; }
cat >"$TMP/gateway.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": $GW, "instances": 0 },
  "admin": { "host": "127.0.0.1", "port": $ADMIN },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 1000 },
  "upstreams": { "backend": { "endpoints": ["http://127.0.0.1:$BACKEND"] } },
  "routes": [ { "name": "proxy", "match": { "pathPrefix": "/" }, "upstream": "backend" } ]
}
EOF

TICK_MS=$((1000 / $(getconf CLK_TCK)))
# cpu_split PID -> L_CPU (ms, every thread, dead ones included) and L_SPLIT "main/jit/loop/other" (ms)
cpu_split() {
  L_CPU=$(awk -v t="$TICK_MS" '{sub(/.*\) /, ""); print ($12 + $13) * t}' "/proc/$1/stat" 2>/dev/null)
  L_SPLIT=$(for d in /proc/"$1"/task/*; do printf '%s\t%s\n' "$(cat "$d/comm" 2>/dev/null)" "$(cut -d' ' -f1 "$d/schedstat" 2>/dev/null)"; done \
    | awk -F'\t' '{ns = $2 + 0; if ($1 == "java") m += ns; else if ($1 ~ /CompilerThre/) j += ns; else if ($1 ~ /eventloop|vert.x-eventl/) l += ns; else o += ns}
        END {printf "%d/%d/%d/%d", m / 1e6, j / 1e6, l / 1e6, o / 1e6}')
}
launch() {   # launch LOG JAR FLAGS... -> L_PID, L_MS (launch to first proxied 200), L_CPU, L_SPLIT, or returns 1
  local logf=$1 jar=$2 t0; shift 2
  t0=$(date +%s%N)
  taskset -c "$CPU" java "$@" -jar "$jar" --config "$TMP/gateway.json" >"$logf" 2>&1 &
  L_PID=$!; STARTED+=("$L_PID")
  while [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 120 ]; do   # give up after 120 s
    [ "$(curl -s -m 0.5 "http://127.0.0.1:$GW/")" = '{"ok":true}' ] && { L_MS=$(( ($(date +%s%N) - t0) / 1000000 )); cpu_split "$L_PID"; return 0; }
    [ -d "/proc/$L_PID" ] || return 1
    [ -d "/proc/$NGINX_PID" ] || { log "the backend nginx has gone"; return 1; }
    sleep 0.01
  done
  return 1
}

declare -A FLAGS JARS MS CPUS SPLITS
NAMES=()
for spec in "${SPECS[@]}"; do
  name=${spec%%=*} f=${spec#*=} jar=$JAR
  if [[ " $f " =~ \ @jar=([^ ]+)\  ]]; then
    jar=$(cd "$(dirname "${BASH_REMATCH[1]}")" && pwd)/$(basename "${BASH_REMATCH[1]}")
    f=${f//@jar=${BASH_REMATCH[1]}/}
    [ -r "$jar" ] || { echo "no jar at $jar" >&2; exit 2; }
  fi
  JARS[$name]=$jar
  if [[ " $f " == *" @appcds "* ]]; then
    base=${f//@appcds/}
    jsa="$TMP/$name.jsa"
    log "$name: AppCDS training run"
    # shellcheck disable=SC2086
    launch "$TMP/$name-train.log" "$jar" $base -XX:ArchiveClassesAtExit="$jsa" || { log "$name: training run did not answer"; exit 1; }
    timeout 3 wrk -t1 -c8 -d2s "http://127.0.0.1:$GW/" >/dev/null 2>&1
    stop_pid "$L_PID"
    [ -s "$jsa" ] || { log "$name: no archive written"; exit 1; }
    f="$base -XX:SharedArchiveFile=$jsa"
  fi
  FLAGS[$name]=$f; NAMES+=("$name")
done

echo "| round | set | launch to first proxied 200 ms | CPU to it ms | CPU main/JIT/event loop/other ms | peak RSS MiB | load average |"
echo "|--:|---|--:|--:|--:|--:|--:|"
for r in $(seq 1 "$ROUNDS"); do
  order=("${NAMES[@]}")
  if [ $((r % 2)) = 0 ]; then order=(); for ((k=${#NAMES[@]}-1; k>=0; k--)); do order+=("${NAMES[$k]}"); done; fi
  for n in "${order[@]}"; do
    # shellcheck disable=SC2086
    if launch "$TMP/$n-$r.log" "${JARS[$n]}" ${FLAGS[$n]}; then
      rss=$(awk '/^VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$L_PID/status" 2>/dev/null)
      MS[$n]+="$L_MS " CPUS[$n]+="$L_CPU " SPLITS[$n]+="$L_SPLIT "
      echo "| $r | $n | $L_MS | $L_CPU | $L_SPLIT | $rss | $(cut -d' ' -f1 /proc/loadavg) |"
    else
      echo "| $r | $n | FAILED (see $TMP/$n-$r.log with --keep) | | |"
    fi
    stop_pid "$L_PID"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
echo
split_median() { local k out=; for k in 1 2 3 4; do out+=$(median "$(tr ' ' '\n' <<<"$1" | grep -v '^$' | cut -d/ -f$k | tr '\n' ' ')")/; done; echo "${out%/}"; }
echo "| set | JVM flags | median ms | min ms | CPU median ms | CPU main/JIT/event loop/other, medians | launches |"
echo "|---|---|--:|--:|--:|--:|--:|"
for n in "${NAMES[@]}"; do
  jarnote=; [ "${JARS[$n]}" != "$JAR" ] && jarnote=" (jar ${JARS[$n]})"
  echo "| $n | \`${FLAGS[$n]//$TMP\//}\`$jarnote | $(median "${MS[$n]:-}") | $(tr ' ' '\n' <<<"${MS[$n]:-}" | grep -v '^$' | sort -n | head -1) | $(median "${CPUS[$n]:-}") | $(split_median "${SPLITS[$n]:-}") | $(wc -w <<<"${MS[$n]:-}") |"
done
echo
echo "pinned to CPU $CPU; $ROUNDS rounds; $(java -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
