#!/usr/bin/env bash
# bench/ab.sh - A/B comparison of gateway builds (and the bare Vert.x proxy) in alternation.
#
# Each contender is a JVM started once, pinned to the upper half of the CPUs (as bench/run.sh), on
# the bench configuration of bench/run.sh (four routes, a proxied GET / matched last; access log
# off unless the contender says so). After a JIT warm-up of each, the contenders are measured in
# turn, ROUNDS times, the order reversed every other round, so slow drifts of the machine's load
# fall on all of them alike. Prints one row per run and, per contender, the median req/s, p99 and
# CPU µs per request over the rounds, with each median's ratio to the first contender's. The CPU
# is also given in user mode alone ("of it user": the proxy's own code, the JIT's and the GC's);
# the rest is the kernel's, which does the same system calls for every proxy here but costs more
# or less per call as the host's load moves (docs/performance.md, fifth sitting).
#
#   bench/ab.sh [options] NAME=KIND:ARG ...
#     KIND gw      ARG = a gateway jar                     (access log off)
#     KIND gwlog   ARG = a gateway jar                     (access log on, written to a file)
#     KIND gwadaptive ARG = a gateway jar                  (upstream "backend" with concurrency.mode adaptive)
#     KIND gwpoolN ARG = a gateway jar                     (upstream "backend" with pool.maxConnections N, e.g. gwpool64)
#     KIND h2c     ARG = a gateway jar                     (server.h2c; loaded with h2load)
#     KIND h2tls   ARG = a gateway jar                     (server.tls, its default engine; h2load over TLS, ALPN h2)
#     KIND h2tlsjdk ARG = a gateway jar                    (the same with server.tls.engine "jdk")
#     KIND bare    ARG = the jar to compile and run bench/BareProxy.java against
#     KIND bareh2c ARG = the same, loaded with h2load over cleartext HTTP/2 (prior knowledge)
#   e.g. bench/ab.sh --nice -10 --wait-quiet 15 before=gw:/tmp/before.jar after=gw:target/portcullis.jar \
#            bare=bare:target/portcullis.jar
#   ARG may end in '|FLAGS': that contender's JVM flags instead of --java-opts, to compare flag sets
#   in alternation, e.g. 'g1=gw:target/portcullis.jar|-XX:+UseG1GC -Xmx64m'. The summary gives each
#   JVM's peak RSS over its life (VmHWM) too.
#
# --same-jvm: the gateway contenders (gw, gwlog, gwadaptive, gwpoolN; one jar, one flag set) share ONE JVM,
#   and before each of a contender's runs its configuration is written to that JVM's configuration
#   file and applied with POST /admin/reload. Two JVMs of the same build differ by up to 20-40% in
#   CPU per request on a shared machine (JIT and memory layout); one JVM measures what a setting
#   itself costs. Each contender's warm-up runs after its reload, so a new limit starts fresh.
#   The summary then also gives the median of the per-round ratios to the first contender.
#
# --relaunch: the opposite: every contender gets a NEW JVM for each of its runs (started, warmed
#   up for --warmup seconds, measured, stopped), so the medians are over ROUNDS JVM launches per
#   contender and the spread between JVMs of one build (JIT decisions, memory layout) is sampled
#   instead of being frozen into one launch. The summary gives per-launch ratios as --same-jvm does
#   and each contender's largest peak RSS over its launches.
#
# --together: as --relaunch, but every round launches ALL contenders at once, warms them up and
#   measures them at the same time, each loaded by its own client, all on the same pinned CPUs. The
#   host's speed then moves for all of them alike within a round, which alternation cannot give:
#   the per-round ratios are paired in time. The contenders share the cores, so each gets part of
#   their time and pays for the other's presence (caches, switches): the absolute figures are not
#   those of a proxy alone, the per-round ratios are the point.
#
# Options: --rounds N (5), --duration S per run (8), --warmup S JIT warm-up per JVM (20),
# --conns C (64), --nice N, --wait-quiet S (as bench/run.sh), --java-opts '...'
# (default '-XX:+UseSerialGC -Xmx64m'), --port-base N (18380), --same-jvm, --relaunch, --together, --keep. Every process it
# starts is stopped by PID on exit.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=5 DURATION=8 WARMUP=20 CONNS=64 NICE=0 QUIET_WAIT=0 PORT_BASE=18380 KEEP=no SAME_JVM=no RELAUNCH=no TOGETHER=no
JAVA_OPTS_AB='-XX:+UseSerialGC -Xmx64m'
H2_CONNS=16 H2_STREAMS=10
SPECS=()
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    --wait-quiet) QUIET_WAIT=$2; shift 2 ;;
    --java-opts) JAVA_OPTS_AB=$2; shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    --same-jvm) SAME_JVM=yes; shift ;;
    --relaunch) RELAUNCH=yes; shift ;;
    --together) RELAUNCH=yes TOGETHER=yes; shift ;;
    -h|--help) sed -n '2,53p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *=*:*) SPECS+=("$1"); shift ;;
    *) echo "not NAME=KIND:ARG: $1" >&2; exit 2 ;;
  esac
done
[ ${#SPECS[@]} -ge 1 ] || { echo "no contender (NAME=KIND:ARG)" >&2; exit 2; }
[ $SAME_JVM = yes ] && [ $RELAUNCH = yes ] && { echo "--same-jvm excludes --relaunch and --together" >&2; exit 2; }
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
bench_tmp ab

BACKEND=$PORT_BASE
mkdir -p "$TMP/nginx/tmp" "$TMP/raw"
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
wait_http "http://127.0.0.1:$BACKEND/" "$!" 10 || die "the backend nginx did not start: $(tail -1 "$TMP/nginx/error.log" 2>/dev/null)"

config() {   # config FILE PORT ADMIN ACCESSLOG MORE [BACKEND_MORE]: bench/run.sh's configuration, one backend
  bench_gateway_config "$1" "$2" "$3" "$4" "$5" "${6:-}" "$BACKEND" "$((PORT_BASE + 99))" "$BACKEND" "$BACKEND" "$BACKEND"
}

tls_cert() {   # a P-256 certificate for the h2tls kinds, made once
  [ -s "$TMP/tls/cert.pem" ] && return 0
  mkdir -p "$TMP/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >"$TMP/tls/openssl.log" 2>&1 \
    || die "openssl could not make a test certificate"
}

read -r -a JOPTS <<<"$JAVA_OPTS_AB"
declare -A JAVA_OF
declare -A PID URL TOOL ADMIN_OF SHARED_CONF KIND_OF ARG_OF PORT_OF CONF_OF HWM_MAX
NAMES=()
SHARED_PID="" SHARED_PORT="" SHARED_ADMIN=""
i=0
for spec in "${SPECS[@]}"; do
  name=${spec%%=*} rest=${spec#*=}; kind=${rest%%:*} arg=${rest#*:}
  JO=("${JOPTS[@]}")
  if [[ $arg == *'|'* ]]; then read -r -a JO <<<"${arg#*|}"; arg=${arg%%|*}; fi
  JAVA_OF[$name]="${JO[*]}" KIND_OF[$name]=$kind ARG_OF[$name]=$arg
  port=$((PORT_BASE + 10 + 2 * i)); admin=$((port + 1)); i=$((i + 1))
  PORT_OF[$name]=$port
  TOOL[$name]=wrk; URL[$name]="http://127.0.0.1:$port/"
  NAMES+=("$name")
  case $kind in
    gw|gwlog|h2c|h2tls|h2tlsjdk|gwadaptive|gwpool[0-9]*)
      more=""; alog=false; backend_more=""
      [ "$kind" = gwlog ] && alog=true
      [ "$kind" = h2c ] && more=', "h2c": true' && TOOL[$name]=h2load
      if [ "$kind" = h2tls ] || [ "$kind" = h2tlsjdk ]; then
        tls_cert; engine=""; [ "$kind" = h2tlsjdk ] && engine=', "engine": "jdk"'
        more=", \"tls\": { \"certFile\": \"$TMP/tls/cert.pem\", \"keyFile\": \"$TMP/tls/key.pem\"$engine }"
        TOOL[$name]=h2load URL[$name]="https://127.0.0.1:$port/"
      fi
      [ "$kind" = gwadaptive ] && backend_more=', "concurrency": { "mode": "adaptive" }'
      if [[ $kind == gwpool* ]]; then
        [[ ${kind#gwpool} =~ ^[1-9][0-9]*$ ]] || die "$kind: gwpoolN needs N >= 1, e.g. gwpool64"
        backend_more=", \"pool\": { \"maxConnections\": ${kind#gwpool} }"
      fi
      if [ $SAME_JVM = yes ] && [ "${TOOL[$name]}" = wrk ]; then
        [ -z "$SHARED_PORT" ] && SHARED_PORT=$port SHARED_ADMIN=$admin
        config "$TMP/$name.json" "$SHARED_PORT" "$SHARED_ADMIN" "$alog" "$more" "$backend_more"
        SHARED_CONF[$name]=$TMP/$name.json ADMIN_OF[$name]=$SHARED_ADMIN URL[$name]="http://127.0.0.1:$SHARED_PORT/"
        CONF_OF[$name]=$TMP/shared.json
      else
        config "$TMP/$name.json" "$port" "$admin" "$alog" "$more" "$backend_more"
        CONF_OF[$name]=$TMP/$name.json
      fi
      ;;
    bare|bareh2c)
      [ "$kind" = bareh2c ] && TOOL[$name]=h2load
      if [ ! -d "$TMP/bare" ]; then
        mkdir -p "$TMP/bare"
        javac -nowarn -Xlint:none -cp "$arg" -d "$TMP/bare" "$ROOT/bench/BareProxy.java" >/dev/null 2>&1 || die "BareProxy did not compile"
      fi
      ;;
    *) die "unknown kind $kind" ;;
  esac
done

launch() {   # launch NAME: start NAME's JVM (or, with --same-jvm, join the shared one) and wait for its first 200
  local name=$1 kind=${KIND_OF[$1]} arg=${ARG_OF[$1]} ok _ JO
  read -r -a JO <<<"${JAVA_OF[$1]}"
  case $kind in
    bare|bareh2c)
      "${NI[@]}" "${GWPIN[@]}" java "${JO[@]}" -cp "$arg:$TMP/bare" BareProxy "${PORT_OF[$name]}" "http://127.0.0.1:$BACKEND" >"$TMP/$name.log" 2>&1 &
      ;;
    *)
      if [ -n "${SHARED_CONF[$name]:-}" ] && [ -n "$SHARED_PID" ]; then
        PID[$name]=$SHARED_PID
        log "$name ($kind) shares pid $SHARED_PID on ${URL[$name]} (applied by reload)"
        return 0
      fi
      [ -n "${SHARED_CONF[$name]:-}" ] && cp "${SHARED_CONF[$name]}" "$TMP/shared.json"
      "${NI[@]}" "${GWPIN[@]}" java "${JO[@]}" -jar "$arg" --config "${CONF_OF[$name]}" >"$TMP/$name.log" 2>"$TMP/$name.err" &
      ;;
  esac
  PID[$name]=$!; STARTED+=("$!")
  [ -n "${SHARED_CONF[$name]:-}" ] && SHARED_PID=$!
  ok=no
  for _ in $(seq 1 600); do
    if [[ ${URL[$name]} == https:* ]]; then
      [ "$(curl -sk --http2 "${URL[$name]}")" = '{"ok":true}' ] && ok=yes && break
    elif [ "${TOOL[$name]}" = h2load ]; then
      [ "$(curl -s --http2-prior-knowledge "${URL[$name]}")" = '{"ok":true}' ] && ok=yes && break
    else
      [ "$(curl -s "${URL[$name]}")" = '{"ok":true}' ] && ok=yes && break
    fi
    [ -d "/proc/${PID[$name]}" ] || break
    sleep 0.1
  done
  [ $ok = yes ] || { tail -5 "$TMP/$name.log" "$TMP/$name.err" >&2 2>/dev/null; die "$name did not answer"; }
  log "$name ($kind) pid ${PID[$name]} on ${URL[$name]}"
}
retire() {   # retire NAME: with --relaunch, note NAME's peak RSS and stop its JVM
  local name=$1 h
  h=$(hwm "${PID[$name]}")
  HWM_MAX[$name]=$(awk -v a="$h" -v b="${HWM_MAX[$name]:-0}" 'BEGIN{print (a > b ? a : b)}')
  stop_pid "${PID[$name]}"
}
hwm() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(awk '/^VmHWM/{print $2}' "/proc/$p/status" 2>/dev/null); s=$((s + ${v:-0})); done; awk -v k="$s" 'BEGIN{printf "%.1f", k / 1024}'; }
[ $RELAUNCH = yes ] || for n in "${NAMES[@]}"; do launch "$n"; done

CLK_TCK=$(getconf CLK_TCK)
tree_ticks() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}'); s=$((s + ${v:-0})); done; echo $s; }
tree_user_ticks() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12}'); s=$((s + ${v:-0})); done; echo $s; }
busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
ours_ticks() { local p s=0; for p in "${STARTED[@]}"; do s=$((s + $(tree_ticks "$p"))); done; echo $s; }
children_ticks() {   # CT = CPU ticks of this shell's waited-for children (wrk, h2load, curl)
  times >"$TMP/times.txt"   # builtin; call directly, never inside $(...)
  CT=$(awk -v hz="$CLK_TCK" 'NR == 2 {s = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); s += a[1] * 60 + a[2]}; printf "%.0f", s * hz}' "$TMP/times.txt")
}
wait_quiet() {
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local t0=$SECONDS b0 b1 o0 o1 other
  while [ $((SECONDS - t0)) -lt "$QUIET_WAIT" ]; do
    o0=$(ours_ticks); b0=$(busy_ticks); sleep 1; b1=$(busy_ticks); o1=$(ours_ticks)
    other=$(( 100 * ((b1 - b0) - (o1 - o0)) / CLK_TCK ))
    [ "$other" -lt 10 ] && return 0
  done
}
cat >"$TMP/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.0f %.0f %d\n", summary.requests, summary.duration,
    latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
load() {   # load NAME SECONDS -> R_req R_rps R_p99 (ms) R_bad (non-2xx/3xx and socket errors; wrk only)
  local n=$1 d=$2 f="$TMP/raw/$1.txt" line
  if [ "${TOOL[$n]}" = h2load ]; then
    "${NI[@]}" "${LOADPIN[@]}" h2load -t1 -c$H2_CONNS -m$H2_STREAMS -D "$d" --log-file="$TMP/raw/$n.h2log" "${URL[$n]}" >"$f" 2>&1
    R_req=$(awk '/^requests:/{print $6}' "$f"); R_rps=$(awk '/^finished in/{gsub(",", "", $4); printf "%.0f", $4}' "$f")
    R_p99=$(awk '{print $3}' "$TMP/raw/$n.h2log" | sort -n | awk '{a[NR]=$1} END{i=int(NR*0.99); if(i<1)i=1; printf "%.2f", a[i]/1000}')
    rm -f "$TMP/raw/$n.h2log"
  else
    "${NI[@]}" "${LOADPIN[@]}" wrk -t"$NLOAD" -c"$CONNS" -d"${d}s" --timeout 5s -s "$TMP/report.lua" "${URL[$n]}" >"$f" 2>&1
    line=$(grep '^RESULT' "$f" | tail -1)
    R_req=$(awk '{print $2}' <<<"$line"); R_rps=$(awk '{printf "%.0f", $2 / ($3 / 1e6)}' <<<"$line")
    R_p99=$(awk '{printf "%.2f", $4 / 1000}' <<<"$line")
    R_bad=$(awk '{print $5}' <<<"$line")
  fi
}
APPLIED=""
apply() {   # apply NAME: with --same-jvm, make NAME's configuration the shared JVM's (a reload)
  local n=$1 answer
  [ -n "${SHARED_CONF[$n]:-}" ] || return 0
  [ "$APPLIED" = "$n" ] && return 0
  cp "${SHARED_CONF[$n]}" "$TMP/shared.json"
  answer=$(curl -s -m 10 -X POST "http://127.0.0.1:${ADMIN_OF[$n]}/admin/reload")
  grep -Eq '"result" *: *"(applied|unchanged)"' <<<"$answer" || die "reload to $n's configuration failed: $answer"
  APPLIED=$n
}
[ $RELAUNCH = yes ] || for n in "${NAMES[@]}"; do apply "$n"; log "warm-up $n ${WARMUP}s"; load "$n" "$WARMUP"; done

declare -A RPS US USR P99 ROUND_RPS ROUND_US ROUND_USR RRATIO URATIO UURATIO
all_loads() {   # all_loads SECONDS: every contender loaded at once; each one's result in $TMP/raw/NAME.res
  local n lp=()
  for n in "${NAMES[@]}"; do
    ( load "$n" "$1"; echo "${R_req:-0} ${R_rps:-0} ${R_p99:-0} ${R_bad:-–}" >"$TMP/raw/$n.res" ) &
    lp+=("$!")
  done
  wait "${lp[@]}"
}
together_round() {   # together_round R: --together's round R, all contenders launched and measured at once
  local n r=$1 b0 b1 o0 o1 t0 t1 k0 k1 other us usr
  declare -A C0 U0 C1 U1
  for n in "${NAMES[@]}"; do launch "$n"; done
  log "warm-up ${NAMES[*]} together ${WARMUP}s"
  all_loads "$WARMUP"
  all_loads 2
  wait_quiet
  for n in "${NAMES[@]}"; do U0[$n]=$(tree_user_ticks "${PID[$n]}"); C0[$n]=$(tree_ticks "${PID[$n]}"); done
  b0=$(busy_ticks); o0=$(ours_ticks); children_ticks; k0=$CT; t0=$(date +%s%N)
  all_loads "$DURATION"
  t1=$(date +%s%N)
  for n in "${NAMES[@]}"; do C1[$n]=$(tree_ticks "${PID[$n]}"); U1[$n]=$(tree_user_ticks "${PID[$n]}"); done
  b1=$(busy_ticks); o1=$(ours_ticks); children_ticks; k1=$CT
  other=$(awk -v b=$((b1 - b0)) -v o=$(( (o1 - o0) + (k1 - k0) )) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) 'BEGIN{x = b - o; if (x < 0) x = 0; printf "%.0f", 100 * x / hz / (ns / 1e9)}')
  for n in "${NAMES[@]}"; do
    read -r R_req R_rps R_p99 R_bad <"$TMP/raw/$n.res"
    [ "${R_req:-0}" -gt 0 ] 2>/dev/null || die "$n: no requests measured in round $r"
    us=$(awk -v a="${C0[$n]}" -v b="${C1[$n]}" -v hz="$CLK_TCK" -v r="$R_req" 'BEGIN{printf "%.1f", (b - a) / hz * 1e6 / r}')
    usr=$(awk -v a="${U0[$n]}" -v b="${U1[$n]}" -v hz="$CLK_TCK" -v r="$R_req" 'BEGIN{printf "%.1f", (b - a) / hz * 1e6 / r}')
    RPS[$n]+="$R_rps " US[$n]+="$us " USR[$n]+="$usr " P99[$n]+="$R_p99 "
    ROUND_RPS[$n]=$R_rps ROUND_US[$n]=$us ROUND_USR[$n]=$usr
    echo "| $r | $n | $R_rps | $R_p99 | $us | $usr | $other% | ${R_bad:-–} |"
  done
  for n in "${NAMES[@]}"; do retire "$n"; done
}
echo "| round | contender | req/s | p99 ms | CPU µs/req | of it user | other | errors |"
echo "|--:|---|--:|--:|--:|--:|--:|--:|"
for r in $(seq 1 "$ROUNDS"); do
  order=("${NAMES[@]}")
  if [ $((r % 2)) = 0 ]; then order=(); for ((k=${#NAMES[@]}-1; k>=0; k--)); do order+=("${NAMES[$k]}"); done; fi
  [ $TOGETHER = yes ] && { together_round "$r"; order=(); }
  for n in "${order[@]}"; do
    if [ $RELAUNCH = yes ]; then launch "$n"; log "warm-up $n ${WARMUP}s"; load "$n" "$WARMUP"; fi
    apply "$n"
    load "$n" 2 >/dev/null
    wait_quiet
    u0=$(tree_user_ticks "${PID[$n]}"); c0=$(tree_ticks "${PID[$n]}"); b0=$(busy_ticks); o0=$(ours_ticks); children_ticks; k0=$CT; t0=$(date +%s%N)
    load "$n" "$DURATION"
    t1=$(date +%s%N); c1=$(tree_ticks "${PID[$n]}"); u1=$(tree_user_ticks "${PID[$n]}"); b1=$(busy_ticks); o1=$(ours_ticks); children_ticks; k1=$CT
    us=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v r="$R_req" 'BEGIN{printf "%.1f", (b - a) / hz * 1e6 / r}')
    usr=$(awk -v a="$u0" -v b="$u1" -v hz="$CLK_TCK" -v r="$R_req" 'BEGIN{printf "%.1f", (b - a) / hz * 1e6 / r}')
    other=$(awk -v b=$((b1 - b0)) -v o=$(( (o1 - o0) + (k1 - k0) )) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) 'BEGIN{x = b - o; if (x < 0) x = 0; printf "%.0f", 100 * x / hz / (ns / 1e9)}')
    RPS[$n]+="$R_rps " US[$n]+="$us " USR[$n]+="$usr " P99[$n]+="$R_p99 "
    ROUND_RPS[$n]=$R_rps ROUND_US[$n]=$us ROUND_USR[$n]=$usr
    echo "| $r | $n | $R_rps | $R_p99 | $us | $usr | $other% | ${R_bad:-–} |"
    [ $RELAUNCH = yes ] && retire "$n"
  done
  for n in "${NAMES[@]}"; do
    RRATIO[$n]+="$(awk -v a="${ROUND_RPS[$n]}" -v b="${ROUND_RPS[${NAMES[0]}]}" 'BEGIN{printf "%.3f", a / b}') "
    URATIO[$n]+="$(awk -v a="${ROUND_US[$n]}" -v b="${ROUND_US[${NAMES[0]}]}" 'BEGIN{printf "%.3f", a / b}') "
    UURATIO[$n]+="$(awk -v a="${ROUND_USR[$n]}" -v b="${ROUND_USR[${NAMES[0]}]}" 'BEGIN{printf (b > 0 ? "%.3f" : "-"), (b > 0 ? a / b : 0)}') "
  done
done
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
echo
echo "| contender | JVM flags | median req/s | ratio | median p99 ms | ratio | median CPU µs/req | ratio | median user µs/req | ratio | peak RSS MiB |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
first=${NAMES[0]}
fr=$(median "${RPS[$first]}") fp=$(median "${P99[$first]}") fu=$(median "${US[$first]}") fs=$(median "${USR[$first]}")
for n in "${NAMES[@]}"; do
  mr=$(median "${RPS[$n]}") mp=$(median "${P99[$n]}") mu=$(median "${US[$n]}") ms=$(median "${USR[$n]}")
  echo "| $n | \`${JAVA_OF[$n]}\` | $mr | $(awk -v a="$mr" -v b="$fr" 'BEGIN{printf "%.3f", a / b}') | $mp | $(awk -v a="$mp" -v b="$fp" 'BEGIN{printf "%.2f", a / b}') | $mu | $(awk -v a="$mu" -v b="$fu" 'BEGIN{printf "%.3f", a / b}') | $ms | $(awk -v a="$ms" -v b="$fs" 'BEGIN{printf (b > 0 ? "%.3f" : "-"), (b > 0 ? a / b : 0)}') | $([ $RELAUNCH = yes ] && echo "${HWM_MAX[$n]}" || hwm "${PID[$n]}") |"
done
echo
echo "Per-round ratios to ${NAMES[0]} (req/s; CPU µs/req; user CPU µs/req), their medians in brackets:"
for n in "${NAMES[@]:1}"; do
  echo "- $n: req/s ${RRATIO[$n]}(**$(median "${RRATIO[$n]}")**); CPU ${URATIO[$n]}(**$(median "${URATIO[$n]}")**); user ${UURATIO[$n]}(**$(median "${UURATIO[$n]}")**)"
done
if [ $TOGETHER = yes ]; then
  echo "- --together: every round launched all contenders at once (${WARMUP}s warm-up together) and measured them at the same time, sharing the pinned CPUs; peak RSS is the largest over a contender's launches."
elif [ $RELAUNCH = yes ]; then
  echo "- --relaunch: every run above was a fresh JVM (its own ${WARMUP}s warm-up); peak RSS is the largest over a contender's launches."
fi
[ $SAME_JVM = yes ] && echo "- --same-jvm: the gateway contenders were one JVM (pid $SHARED_PID), switched by POST /admin/reload before each run."
echo
echo "--java-opts ${JAVA_OPTS_AB}; ${DURATION}s runs, $ROUNDS rounds, c$CONNS (h2load: $H2_CONNS×$H2_STREAMS); load average $(cut -d' ' -f1-3 /proc/loadavg)"
