#!/usr/bin/env bash
# bench/run.sh - end-to-end load benchmark of Portcullis (Linux).
#
# Starts a local nginx backend and the gateway on generated configurations (in a temp dir),
# loads them with wrk, and prints one markdown table on stdout (progress goes to stderr):
#   proxy        GET /            direct to nginx vs through the gateway, 64 and 8 connections
#   fast-fail    GET /fail/x      upstream on a closed port, breaker open: 503 circuit_open
#   aggregate    GET /agg/7       fan-out to 3 backends (3 nginx ports), merged JSON
#   stream 1MiB  GET /files/1m    streamed through, MB/s
#   stream 100MiB GET /files/100m streamed through, MB/s and the gateway's peak RSS
#   conns        GET /            64 vs 1,024 connections (direct and through the gateway)
#   idle         10,000 idle keep-alive client connections held: gateway RSS growth, and the
#                proxy case at 64 connections measured while they are held
# Every process it starts is tracked by PID and stopped on exit (also on Ctrl-C or error).
# See bench/README.md.
set -uo pipefail

ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

DURATION=10
WARMUP=10          # JIT warm-up of the gateway (c64 on /) before the first measured gateway run
CASE_WARMUP=2      # unrecorded run before each measured gateway run, same path and connections
QUICK=no
PIN=yes
KEEP=no
JAR=target/portcullis.jar
PORT_BASE=18180
CASES=proxy,fastfail,aggregate,stream,conns,idle
IDLE_CONNS=10000
OUT=""
NICE=0
JAVA_OPTS=${JAVA_OPTS:-}

usage() {
  cat <<EOF
usage: bench/run.sh [options]        (run from anywhere; works in the project root)
  --duration S      seconds per measured run (default $DURATION)
  --quick           3 s per run, 3 s JIT warm-up, 1 s per-case warm-up (a smoke test: the JIT
                    is still compiling; options after --quick override it)
  --warmup S        JIT warm-up of the gateway before the first gateway run (default $WARMUP)
  --case-warmup S   unrecorded run before each gateway run (default $CASE_WARMUP)
  --cases LIST      comma list of proxy,fastfail,aggregate,stream,conns,idle (default $CASES)
  --idle-conns N    idle keep-alive connections held by the idle case (default $IDLE_CONNS)
  --jar PATH        gateway jar (default $JAR; built with 'mvn -q -DskipTests package' if missing)
  --port-base N     ports N (backend), N+1..N+3 (aggregate backends), N+10 (gateway),
                    N+11 (admin), N+19 (the closed port of fast-fail) (default $PORT_BASE)
  --no-pin          do not pin gateway and load (wrk + nginx) to separate CPUs
  --nice N          run nginx, gateway and wrk under 'nice -n N' (e.g. -10 as root on a shared machine)
  --keep            keep the temp dir (configs, logs, raw wrk output)
  --out FILE        also write the table to FILE
Environment: JAVA_OPTS is passed to the gateway's JVM (e.g. JAVA_OPTS='-XX:+UseSerialGC -Xmx256m').
Needs: wrk, nginx, curl, taskset, java 17+ (mvn if the jar is missing). As root with apt-get,
missing wrk/nginx/curl are installed (nginx-light, else nginx).
EOF
}

abspath() { case $1 in /*) echo "$1" ;; *) echo "$ORIG_PWD/$1" ;; esac; }   # relative to where we were called
while [ $# -gt 0 ]; do
  case $1 in
    --duration|--warmup|--case-warmup|--cases|--jar|--port-base|--nice|--out|--idle-conns)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; usage >&2; exit 2; } ;;
  esac
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --quick) QUICK=yes DURATION=3 WARMUP=3 CASE_WARMUP=1; shift ;;   # later options override it
    --warmup) WARMUP=$2; shift 2 ;;
    --case-warmup) CASE_WARMUP=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --idle-conns) IDLE_CONNS=$2; shift 2 ;;
    --jar) JAR=$(abspath "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --no-pin) PIN=no; shift ;;
    --keep) KEEP=yes; shift ;;
    --nice) NICE=$2; shift 2 ;;
    --out) OUT=$(abspath "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in DURATION WARMUP CASE_WARMUP PORT_BASE IDLE_CONNS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "--$(echo "${v,,}" | tr _ -): not a whole number: ${!v}" >&2; exit 2; }
done
[ "$DURATION" -ge 1 ] || { echo "--duration must be >= 1" >&2; exit 2; }
[[ $NICE =~ ^-?[0-9]+$ ]] || { echo "--nice: not an integer: $NICE" >&2; exit 2; }
NI=(); [ "$NICE" != 0 ] && NI=(nice -n "$NICE")
for c in ${CASES//,/ }; do
  case $c in proxy|fastfail|aggregate|stream|conns|idle) ;; *) echo "--cases: unknown case '$c' (proxy,fastfail,aggregate,stream,conns,idle)" >&2; exit 2 ;; esac
done
has_case() { [[ ",$CASES," == *",$1,"* ]]; }

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- prerequisites
[ "$(uname -s)" = Linux ] || die "Linux only (uses /proc and taskset)"

APT_UPDATED=no
install_pkgs() {                               # install_pkgs PKG... (as root with apt-get only)
  if [ "$APT_UPDATED" = no ]; then apt-get update -qq >&2 || return 1; APT_UPDATED=yes; fi
  # Keep the package's init script from starting a system-wide service (nginx on :80).
  local policy=/usr/sbin/policy-rc.d made=no rc
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made=yes; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  rc=$?
  [ $made = yes ] && rm -f $policy
  return $rc
}

need() {                                       # need COMMAND PACKAGE [ALTERNATIVE-PACKAGE]
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  PATH=$PATH:/usr/sbin:/sbin; command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    local p
    for p in "$@"; do
      log "installing $p (for $cmd)"
      install_pkgs "$p" && command -v "$cmd" >/dev/null 2>&1 && return 0
    done
    die "could not install $cmd (tried: $*)"
  fi
  die "missing '$cmd'. Install it (Debian/Ubuntu: sudo apt-get install $1), or run this script as root to have it installed."
}
need wrk wrk
need nginx nginx-light nginx
need curl curl
command -v java >/dev/null 2>&1 || die "missing 'java' (a JDK/JRE 17 or newer)"
command -v taskset >/dev/null 2>&1 || { log "taskset not found (util-linux): not pinning"; PIN=no; }
JAVA_MAJOR=$(java -version 2>&1 | awk -F'"' 'NR==1{split($2, v, "."); print (v[1] == 1 ? v[2] : v[1])}')
[ "${JAVA_MAJOR:-0}" -ge 17 ] 2>/dev/null || die "java 17 or newer needed (found: $(java -version 2>&1 | head -1))"

if [ ! -f "$JAR" ]; then
  command -v mvn >/dev/null 2>&1 || die "$JAR is missing and mvn is not installed to build it"
  log "building $JAR (mvn -q -DskipTests package)"
  mvn -q -DskipTests package >&2 || die "build failed"
  [ -f "$JAR" ] || die "build did not produce $JAR"
fi

# ---------------------------------------------------------------- CPUs
ALLOWED=()                                     # CPUs this shell may run on
for r in $(awk '/^Cpus_allowed_list/{print $2}' /proc/self/status | tr ',' ' '); do
  ALLOWED+=($(seq "${r%-*}" "${r#*-}"))
done
NCPU=${#ALLOWED[@]}
[ "$NCPU" -ge 1 ] || { ALLOWED=($(seq 0 $(( $(nproc) - 1 )))); NCPU=${#ALLOWED[@]}; }
if [ $PIN = yes ] && [ "$NCPU" -ge 2 ]; then
  NLOAD=$(( (NCPU + 1) / 2 ))                  # wrk + nginx get the larger half
  LOAD_CPUS=$(IFS=,; echo "${ALLOWED[*]:0:$NLOAD}")
  GW_CPUS=$(IFS=,; echo "${ALLOWED[*]:$NLOAD}")
  NGW=$(( NCPU - NLOAD ))
  LOADPIN=(taskset -c "$LOAD_CPUS"); GWPIN=(taskset -c "$GW_CPUS")
  PLACEMENT="gateway on CPU $GW_CPUS; wrk + nginx on CPU $LOAD_CPUS"
else
  NLOAD=$NCPU NGW=$NCPU LOADPIN=() GWPIN=()
  PLACEMENT="not pinned ($NCPU CPUs shared by gateway, wrk and nginx)"
fi
WRK_THREADS=$NLOAD

# ---------------------------------------------------------------- ports
BACKEND_PORT=$PORT_BASE
AGG_PORTS=($((PORT_BASE + 1)) $((PORT_BASE + 2)) $((PORT_BASE + 3)))
GW_PORT=$((PORT_BASE + 10))
ADMIN_PORT=$((PORT_BASE + 11))
DEAD_PORT=$((PORT_BASE + 19))
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $BACKEND_PORT "${AGG_PORTS[@]}" $GW_PORT $ADMIN_PORT $DEAD_PORT; do
  port_open "$p" && die "port $p is in use (choose others with --port-base)"
done

# ---------------------------------------------------------------- process tracking
TMP=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench.XXXXXX") || die "mktemp failed"
chmod 755 "$TMP"                               # nginx workers may run as another user
STARTED=()                                     # PIDs we started

tree_pids() {                                  # PID and its descendants
  local c
  [ -d "/proc/$1" ] || return 0
  echo "$1"
  for c in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$c"; done
}
stop_pid() {                                   # SIGTERM, wait up to 10 s, then SIGKILL the tree, by PID
  local root=$1 pids p i alive
  pids=$(tree_pids "$root")
  [ -n "$pids" ] || return 0
  kill -TERM "$root" 2>/dev/null
  for i in $(seq 1 100); do
    alive=0
    for p in $pids; do
      [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in $pids; do [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null; done
  wait "$root" 2>/dev/null
  return 0
}
cleanup() {
  local p
  for p in "${STARTED[@]}"; do stop_pid "$p"; done
  STARTED=()
  if [ $KEEP = yes ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- backend (nginx)
mkdir -p "$TMP/nginx/tmp" "$TMP/www/files" "$TMP/raw"
chmod -R 755 "$TMP/www"
head -c 1048576 /dev/zero >"$TMP/www/files/1m"
head -c 104857600 /dev/zero >"$TMP/www/files/100m"
chmod 644 "$TMP/www/files/"*
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $NLOAD;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:$BACKEND_PORT backlog=4096;
        location /files/ { root $TMP/www; default_type application/octet-stream; }
        location / { default_type application/json; return 200 '{"ok":true}'; }
    }
    server {
        listen 127.0.0.1:${AGG_PORTS[0]} backlog=4096;
        listen 127.0.0.1:${AGG_PORTS[1]} backlog=4096;
        listen 127.0.0.1:${AGG_PORTS[2]} backlog=4096;
        default_type application/json;
        location /users/  { return 200 '{"id":7,"name":"Ada Lovelace","email":"ada@example.com"}'; }
        location /orders/ { return 200 '[{"id":101,"total":12.5},{"id":102,"total":7.25}]'; }
        location /prefs/  { return 200 '{"theme":"dark","lang":"en"}'; }
    }
}
EOF
NGINX_E=(); nginx -h 2>&1 | grep -q -- '-e filename' && NGINX_E=(-e "$TMP/nginx/error.log")
"${NI[@]}" "${LOADPIN[@]}" nginx -p "$TMP/nginx/" "${NGINX_E[@]}" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!; STARTED+=("$NGINX_PID")

wait_http() {                                  # wait_http URL PID SECONDS: until 200
  local url=$1 pid=$2 max=$3 t0=$SECONDS
  while [ $((SECONDS - t0)) -lt "$max" ]; do
    [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")" = 200 ] && return 0
    [ -d "/proc/$pid" ] || return 1
    sleep 0.1
  done
  return 1
}
wait_http "http://127.0.0.1:$BACKEND_PORT/" $NGINX_PID 15 \
  || { cat "$TMP/nginx/error.log" "$TMP/nginx/stdout.log" >&2 2>/dev/null; die "nginx did not start"; }
log "nginx pid $NGINX_PID ($NLOAD workers), ports $BACKEND_PORT and ${AGG_PORTS[*]}; $PLACEMENT"

# ---------------------------------------------------------------- gateway
cat >"$TMP/gateway.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": $GW_PORT, "instances": 0 },
  "admin": { "host": "127.0.0.1", "port": $ADMIN_PORT },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 2000 },
  "upstreams": {
    "backend": { "endpoints": ["http://127.0.0.1:$BACKEND_PORT"] },
    "dead": {
      "endpoints": ["http://127.0.0.1:$DEAD_PORT"],
      "circuitBreaker": { "maxFailures": 1, "resetTimeoutMs": 600000 }
    },
    "users": { "endpoints": ["http://127.0.0.1:${AGG_PORTS[0]}"] },
    "orders": { "endpoints": ["http://127.0.0.1:${AGG_PORTS[1]}"] },
    "prefs": { "endpoints": ["http://127.0.0.1:${AGG_PORTS[2]}"] }
  },
  "routes": [
    { "name": "fast-fail", "match": { "pathPrefix": "/fail" }, "upstream": "dead" },
    { "name": "aggregate", "match": { "path": "/agg/:id" }, "aggregate": [
        { "upstream": "users", "path": "/users/:id", "as": "user" },
        { "upstream": "orders", "path": "/orders/:id", "as": "orders" },
        { "upstream": "prefs", "path": "/prefs/:id", "as": "prefs" } ] },
    { "name": "stream", "match": { "pathPrefix": "/files" }, "upstream": "backend", "timeoutMs": 60000 },
    { "name": "proxy", "match": { "pathPrefix": "/" }, "upstream": "backend" }
  ]
}
EOF
java -jar "$JAR" --config "$TMP/gateway.json" --check >"$TMP/check.log" 2>&1 \
  || { cat "$TMP/check.log" >&2; die "the generated gateway config is invalid"; }
# shellcheck disable=SC2086
"${NI[@]}" "${GWPIN[@]}" java $JAVA_OPTS -jar "$JAR" --config "$TMP/gateway.json" >"$TMP/gateway.log" 2>&1 &
GW_PID=$!; STARTED+=("$GW_PID")
T0=$(date +%s%N)
wait_http "http://127.0.0.1:$GW_PORT/healthz/ready" $GW_PID 60 \
  || { tail -20 "$TMP/gateway.log" >&2; die "gateway did not become ready"; }
READY_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
log "gateway pid $GW_PID ready after ${READY_MS} ms (JAVA_OPTS='$JAVA_OPTS')"

# Sanity checks of every route before measuring.
body=$(curl -s -m 5 "http://127.0.0.1:$GW_PORT/")
[ "$body" = '{"ok":true}' ] || die "gateway GET / answered '$body'"
if has_case aggregate; then
  h=$(curl -s -m 5 -D - -o "$TMP/agg.json" "http://127.0.0.1:$GW_PORT/agg/7")
  grep -qi '^X-Gateway-Completed: true' <<<"$h" || { echo "$h" >&2; cat "$TMP/agg.json" >&2; die "aggregate not complete"; }
fi
if has_case stream; then
  n=$(curl -s -m 30 -o /dev/null -w '%{size_download}' "http://127.0.0.1:$GW_PORT/files/1m")
  [ "$n" = 1048576 ] || die "gateway GET /files/1m gave $n bytes"
fi

# ---------------------------------------------------------------- measuring
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d bytes=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f err_status=%d err_sock=%d\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }   # utime+stime, all threads
tree_ticks() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(cpu_ticks "$p"); s=$((s + ${v:-0})); done; echo $s; }
busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }   # all CPUs, busy
children_ticks() {                             # CT = CPU ticks of this shell's waited-for children (wrk, curl...)
  times >"$TMP/times.txt"                      # builtin; call directly, never inside $(...)
  CT=$(awk -v hz="$CLK_TCK" 'NR == 2 {s = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); s += a[1] * 60 + a[2]}; printf "%.0f", s * hz}' "$TMP/times.txt")
}
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null; }
# Reset the peak-RSS counter (Linux >= 4.0); if that is refused, peak RSS is sampled every 100 ms.
CLEAR_REFS=no; echo 5 2>/dev/null >"/proc/$GW_PID/clear_refs" && CLEAR_REFS=yes

# run_wrk TAG URL CONNS SECONDS [TIMEOUT] -> W_req W_rps W_mbs W_p50 W_p99 W_status W_sock (false on failure)
run_wrk() {
  local tag=$1 url=$2 c=$3 d=$4 to=${5:-5s} t=$WRK_THREADS f line
  [ "$c" -lt "$t" ] && t=$c
  f="$TMP/raw/$tag.txt"
  timeout $((d + 90)) "${NI[@]}" "${LOADPIN[@]}" wrk -t"$t" -c"$c" -d"${d}s" --timeout "$to" --latency \
      -s "$TMP/report.lua" "$url" >"$f" 2>&1
  line=$(grep '^RESULT ' "$f" | tail -1)
  [ -n "$line" ] || { log "wrk failed for $tag: $(tail -3 "$f" | tr '\n' ' ')"; return 1; }
  local requests bytes duration_us p50_us p99_us err_status err_sock
  eval "$(echo "${line#RESULT }" | tr ' ' '\n')"
  W_req=$requests
  W_rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN{printf "%.0f", r / (d / 1e6)}')
  W_mbs=$(awk -v b="$bytes" -v d="$duration_us" 'BEGIN{printf "%.1f", b / 1048576 / (d / 1e6)}')
  W_p50=$(awk -v x="$p50_us" 'BEGIN{printf "%.2f", x / 1000}')
  W_p99=$(awk -v x="$p99_us" 'BEGIN{printf "%.2f", x / 1000}')
  W_status=$err_status W_sock=$err_sock
}

ROWS=()                                        # one markdown row each
MAX_OTHER=0                                    # highest CPU use by processes not started here
declare -A DIRECT                              # DIRECT[case] = req/s or MB/s of the direct run

# measure CASE VIA(direct|gateway) URL CONNS UNIT(rps|mbs) [WRK_TIMEOUT]
measure() {
  local name=$1 via=$2 url=$3 c=$4 unit=$5 to=${6:-5s} c0 c1 t0 t1 sampler="" peak cpu us ratio val
  local b0 b1 n0 n1 k0 k1 g0 g1 other p50 p99
  if [ "$via" = gateway ] && [ "$CASE_WARMUP" -gt 0 ]; then
    run_wrk "$name-c$c-$via-warmup" "$url" "$c" "$CASE_WARMUP" "$to" >/dev/null || true
  fi
  log "$name c$c $via: ${DURATION}s"
  if [ "$via" = gateway ]; then
    if [ $CLEAR_REFS = yes ]; then
      echo 5 >"/proc/$GW_PID/clear_refs"
    else
      rm -f "$TMP/peak"
      (m=0; while [ -d "/proc/$GW_PID" ]; do r=$(rss_kb $GW_PID); [ "${r:-0}" -gt $m ] && m=$r && echo $m >"$TMP/peak"; sleep 0.1; done) &
      sampler=$!
    fi
    c0=$(cpu_ticks $GW_PID)
  fi
  g0=$(cpu_ticks $GW_PID); n0=$(tree_ticks $NGINX_PID); children_ticks; k0=$CT; b0=$(busy_ticks)
  t0=$(date +%s%N)
  if ! run_wrk "$name-c$c-$via" "$url" "$c" "$DURATION" "$to"; then
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    ROWS+=("| $name | $via | $c | FAILED (see raw output with --keep) | | | | | | | | | |")
    return 1
  fi
  t1=$(date +%s%N)
  b1=$(busy_ticks); children_ticks; k1=$CT; n1=$(tree_ticks $NGINX_PID); g1=$(cpu_ticks $GW_PID)
  other=$(awk -v b=$((b1 - b0)) -v ours=$(( (g1 - g0) + (n1 - n0) + (k1 - k0) )) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) \
      'BEGIN{o = b - ours; if (o < 0) o = 0; printf "%.0f", 100 * o / hz / (ns / 1e9)}')
  [ "$other" -gt "$MAX_OTHER" ] && MAX_OTHER=$other
  cpu="-" us="-" peak="-" ratio="-"
  if [ "$via" = gateway ]; then
    [ -d "/proc/$GW_PID" ] || die "the gateway died during $name (see $TMP/gateway.log)"
    c1=$(cpu_ticks $GW_PID)
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; peak=$(cat "$TMP/peak" 2>/dev/null); else peak=$(hwm_kb $GW_PID); fi
    peak=$(awk -v k="${peak:-0}" 'BEGIN{printf "%.0f", k / 1024}')
    cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f%%", 100 * (b - a) / hz / (ns / 1e9)}')
    if [ "$unit" = mbs ]; then                 # per MiB: requests of 100 MiB barely complete in a run
      us=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v m="$W_mbs" -v ns=$((t1 - t0)) 'BEGIN{x = m * ns / 1e9; printf (x > 0 ? "%.0f /MiB" : "-"), (x > 0 ? (b - a) / hz * 1e6 / x : 0)}')
    else
      us=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v r="$W_req" 'BEGIN{printf (r > 0 ? "%.1f" : "-"), (r > 0 ? (b - a) / hz * 1e6 / r : 0)}')
    fi
  fi
  val=$W_rps; [ "$unit" = mbs ] && val=$W_mbs
  if [ "$via" = direct ]; then
    DIRECT[$name c$c]=$val
  elif [ -n "${DIRECT[$name c$c]:-}" ]; then
    ratio=$(awk -v a="$val" -v b="${DIRECT[$name c$c]}" 'BEGIN{printf (b > 0 ? "%.0f%%" : "-"), (b > 0 ? 100 * a / b : 0)}')
  fi
  local errs="$W_status / $W_sock"
  [ "$name" = fast-fail ] && errs="$W_status (all 503 expected) / $W_sock"
  p50=$W_p50 p99=$W_p99; [ "$W_req" = 0 ] && p50="-" p99="- (no response completed)"
  ROWS+=("| $name | $via | $c | $W_rps | $W_mbs | $p50 | $p99 | $errs | $ratio | $cpu | $us | $peak | $other% |")
  log "  $W_rps req/s, $W_mbs MB/s, p50 $W_p50 ms, p99 $W_p99 ms, non-2xx $W_status, socket errors $W_sock, gw CPU $cpu, other load $other%"
}

D="http://127.0.0.1:$BACKEND_PORT"
G="http://127.0.0.1:$GW_PORT"

if [ "$WARMUP" -gt 0 ]; then
  log "JIT warm-up of the gateway: ${WARMUP}s c64 on /"
  run_wrk jit-warmup "$G/" 64 "$WARMUP" >/dev/null || true
fi

if has_case proxy; then
  for c in 64 8; do
    measure proxy direct "$D/" $c rps
    measure proxy gateway "$G/" $c rps
  done
fi

if has_case fastfail; then
  port_open $DEAD_PORT && die "port $DEAD_PORT is now in use: fast-fail needs it closed"
  for i in 1 2 3 4 5; do curl -s -o /dev/null -m 10 "$G/fail/x"; done
  code=$(curl -s -o "$TMP/fail.json" -m 10 -w '%{http_code}' "$G/fail/x")
  if [ "$code" = 503 ] && grep -q circuit_open "$TMP/fail.json"; then
    log "fast-fail breaker is open (503 circuit_open)"
  else
    log "WARNING: fast-fail answered $code $(cat "$TMP/fail.json"), not 503 circuit_open"
  fi
  measure fast-fail gateway "$G/fail/x" 64 rps
fi

if has_case aggregate; then
  measure aggregate direct "http://127.0.0.1:${AGG_PORTS[0]}/users/7" 64 rps
  measure aggregate gateway "$G/agg/7" 64 rps
fi

if has_case stream; then
  measure "stream 1MiB" direct "$D/files/1m" 8 mbs 30s
  measure "stream 1MiB" gateway "$G/files/1m" 8 mbs 30s
  measure "stream 100MiB" direct "$D/files/100m" 8 mbs 60s
  measure "stream 100MiB" gateway "$G/files/100m" 8 mbs 60s
fi

if has_case conns; then
  measure proxy direct "$D/" 1024 rps
  measure proxy gateway "$G/" 1024 rps
fi

if has_case idle; then
  # Each idle connection is a socket in the gateway and one in the holder: raise our limit.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null
  need_fds=$((IDLE_CONNS + 1000))
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need_fds" ]; then
    log "WARNING: open-files limit $(ulimit -n) < $need_fds: the idle case may fail (raise ulimit -n)"
  fi
  rss0=$(rss_kb $GW_PID)
  log "idle: opening $IDLE_CONNS keep-alive connections (one GET / each), holding them"
  "${LOADPIN[@]}" java -Xss256k bench/IdleConnections.java 127.0.0.1 "$GW_PORT" / "$IDLE_CONNS" $((DURATION + CASE_WARMUP + 15)) \
      >"$TMP/raw/idle.txt" 2>&1 &
  IDLE_PID=$!; STARTED+=("$IDLE_PID")
  t0=$SECONDS
  until grep -q '^READY' "$TMP/raw/idle.txt" 2>/dev/null || [ $((SECONDS - t0)) -gt 150 ] || [ ! -d /proc/$IDLE_PID ]; do sleep 0.5; done
  sleep 3
  rss1=$(rss_kb $GW_PID)
  ready=$(grep '^READY' "$TMP/raw/idle.txt" | tail -1)
  log "  $ready; gateway RSS $((rss0 / 1024)) -> $((rss1 / 1024)) MiB"
  measure "proxy (${IDLE_CONNS} idle held)" gateway "$G/" 64 rps
  wait "$IDLE_PID" 2>/dev/null
  done_line=$(grep '^DONE' "$TMP/raw/idle.txt" | tail -1)
  rss2=$(rss_kb $GW_PID)
  growth=$(awk -v a="$rss0" -v b="$rss1" -v c="$rss2" 'BEGIN{m = (b > c ? b : c); printf "+%.1f (%.1f -> %.1f)", (m - a) / 1024, a / 1024, m / 1024}')
  ROWS+=("| idle ${IDLE_CONNS} | gateway | ${IDLE_CONNS} | - | - | - | - | ${ready#READY } / ${done_line#DONE } | - | - | - | RSS ${growth} | - |")
  log "  $done_line; gateway RSS growth ${growth} MiB"
fi

# ---------------------------------------------------------------- report
{
  echo "## Portcullis load benchmark - $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)"
  echo
  [ $QUICK = yes ] && echo "**--quick:** short runs; the gateway's JIT is still compiling, so its CPU per request is overstated. A smoke test, not a result." && echo
  echo "wrk $WRK_THREADS thread(s), keep-alive, ${DURATION}s per run; each gateway run follows an unrecorded ${CASE_WARMUP}s run of the same load, and the first one a ${WARMUP}s JIT warm-up. $PLACEMENT${NI:+ (nice $NICE)}."
  echo "Backend: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $NLOAD worker(s): \`return 200\` JSON, static files with sendfile. Gateway: \`java ${JAVA_OPTS:+$JAVA_OPTS }-jar $JAR\`, one event loop per gateway CPU ($NGW), access log off, ready ${READY_MS} ms after launch."
  echo "Latency = wrk's closed-loop p50/p99 in ms (whole response). errors = non-2xx / socket errors. vs direct = gateway ÷ direct (req/s; MB/s for stream). gw CPU = gateway process CPU (utime+stime from /proc) during the run, 100% = one core; µs/req = that CPU time per request (stream rows: per MiB transferred). peak RSS = the gateway's VmHWM during that run (MiB). other = CPU used during the run by processes this script did not start (% of one core): noise."
  has_case idle && echo "Idle: the gateway's RSS before the ${IDLE_CONNS} connections were opened, and the larger of its RSS 3 s after all were answered and after the load run held beside them (MiB); errors = answered / still open at the end."
  echo "Aggregate: direct = one of the three backend calls alone; the gateway makes three per request. Fast-fail: upstream on a closed port, breaker opened beforehand (maxFailures 1, resetTimeoutMs 600000): every answer is 503 circuit_open, nothing goes upstream."
  echo
  echo "| case | via | conns | req/s | MB/s | p50 ms | p99 ms | errors | vs direct | gw CPU | gw CPU µs/req | gw peak RSS MiB | other |"
  echo "|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  if [ "$MAX_OTHER" -gt 10 ]; then
    echo "**Noisy machine:** other processes used up to ${MAX_OTHER}% of a core during a run; rows with 'other' above ~10% are unreliable (re-run on a quiet machine, or with --nice -10)."
    echo
  fi
  echo "$(nproc --all) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), kernel $(uname -r), $(java -version 2>&1 | head -1), $(wrk -v 2>&1 | awk 'NR==1{print $1" "$2}'). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | { if [ -n "$OUT" ]; then tee "$OUT"; else cat; fi; }
log "done"
