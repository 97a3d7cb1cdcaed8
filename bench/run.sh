#!/usr/bin/env bash
# bench/run.sh - end-to-end load benchmark of Portcullis (Linux).
#
# Starts a local nginx backend, the gateway and a bare Vert.x proxy (bench/BareProxy.java, the
# stack's own ceiling) on generated configurations (in a temp dir), loads them with wrk (h2load
# for HTTP/2), and prints markdown tables on stdout (progress goes to stderr). Cases:
#   proxy        GET /            direct to nginx, through the gateway and through the bare Vert.x
#                                 proxy, 64 and 8 connections; Portcullis's ratios to the bare proxy
#   fastfail     GET /fail/x      upstream on a closed port, breaker open: 503 circuit_open
#   aggregate    GET /agg/7       fan-out to 3 backends (3 nginx ports), merged JSON
#   stream       GET /files/1m, /files/100m   streamed through, MB/s and the gateway's peak RSS
#   conns        GET /            64 vs 1,024 connections: direct, through nginx as a proxy, through the
#                                 gateway and through the bare Vert.x proxy; each one's c1024 ÷ c64
#                                 (req/s and CPU µs/req)
#   idle         10,000 idle keep-alive client connections held: gateway RSS growth, and the
#                proxy case at 64 connections measured while they are held
#   accesslog    GET / at 64 connections, access log off / on / off / on (a second gateway with
#                the log on): CPU per request with the log on, as a ratio to off
#   h2           h2load, 16 connections x 10 streams, HTTP/2 over cleartext (prior knowledge) and
#                over TLS, through the gateway and through nginx (http2 on) to the same backend;
#                over h2c the bare Vert.x proxy too (the stack's own HTTP/2 ceiling), unless --no-bare
#   alloc        bytes allocated per proxied request (exact, JFR thread allocation statistics)
#                and the top allocation sites and CPU samples, gateway and bare proxy (JFR)
#   flags        the gateway started with each of several JVM flag sets: c64 req/s, p99, CPU per
#                request, peak RSS and launch to the first proxied 200
#   cluster, proxyproto, clustershare   cluster rate limits on Redis and the PROXY protocol behind
#                HAProxy: see bench/cluster-cases.sh (need redis-server and haproxy)
# Default: every case but alloc and flags ('all' adds them). Every process it starts is tracked by
# PID and stopped on exit (also on Ctrl-C or error). See bench/README.md.
set -uo pipefail

ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

DURATION=10
WARMUP=10          # JIT warm-up of each JVM (c64 on /) before its first measured run
CASE_WARMUP=2      # unrecorded run before each measured JVM run, same path and connections
QUICK=no
PIN=yes
KEEP=no
BARE=yes
ALLOC_ACCESSLOG=no
JAR=target/portcullis.jar
PORT_BASE=18180
ALL_CASES=proxy,fastfail,aggregate,stream,conns,idle,accesslog,h2,alloc,flags
ALL_CASES+=,cluster,proxyproto,clustershare   # bench/cluster-cases.sh
CASES=proxy,fastfail,aggregate,stream,conns,idle,accesslog,h2
IDLE_CONNS=10000
H2_CONNS=16
H2_STREAMS=10
H2_SETTLE=0       # h2 case: seconds of each measured h2load run before the measured window opens
CONNS_ROUNDS=1    # conns case: pairs of c64 and c1024 runs per via
FLAG_SETS_FILE=""
JFR_DIR=""
TOP=15
OUT=""
NICE=0
QUIET_WAIT=0
JAVA_OPTS=${JAVA_OPTS:-}
# The flags case's default candidates, one JVM flag set per line ('(none)' = no flags; '@appcds' =
# an AppCDS archive made by a training run of the gateway with the same flags, as the Dockerfile does).
DEFAULT_FLAG_SETS='(none)
-XX:+UseSerialGC -Xmx64m
-XX:+UseSerialGC -Xms16m -Xmx64m
-XX:+UseSerialGC -Xms32m -Xmx64m
-XX:+UseSerialGC -Xmx64m -XX:TieredStopAtLevel=1
-XX:+UseSerialGC -Xmx64m @appcds
-XX:+UseSerialGC -Xms16m -Xmx64m @appcds
-XX:+UseSerialGC -Xms32m -Xmx64m -XX:TrimNativeHeapInterval=1000 @appcds
-XX:+UseSerialGC -Xms32m -Xmx64m -XX:TrimNativeHeapInterval=1000 -XX:SurvivorRatio=4 @appcds
-XX:+UseSerialGC -Xms32m -Xmx64m -XX:TrimNativeHeapInterval=1000 -Xmn16m -XX:SurvivorRatio=2 @appcds
-XX:+UseG1GC -Xmx64m'

usage() {
  cat <<EOF
usage: bench/run.sh [options] [CASE ...]   (run from anywhere; works in the project root)
  CASE ...          cases to run, as words or with --cases: $ALL_CASES, or all
                    (default $CASES)
  --cases LIST      the same, as a comma list
  --duration S      seconds per measured run (default $DURATION)
  --quick           3 s per run, 3 s JIT warm-up, 1 s per-case warm-up (a smoke test: the JIT
                    is still compiling; options after --quick override it)
  --warmup S        JIT warm-up of each JVM (gateway, bare proxy, and the JVMs the accesslog, h2,
                    alloc and flags cases start) before its first measured run (default $WARMUP)
  --case-warmup S   unrecorded run before each measured JVM run (default $CASE_WARMUP)
  --no-bare         proxy and conns cases without the bare Vert.x proxy (and alloc profiles the gateway only)
  --alloc-accesslog alloc case: also profile a gateway with the access log on (written to a file)
  --idle-conns N    idle keep-alive connections held by the idle case (default $IDLE_CONNS)
  --h2-conns N      h2 case: h2load connections (default $H2_CONNS)
  --h2-streams N    h2 case: concurrent streams per connection (default $H2_STREAMS)
  --h2-settle S     h2 case: each measured h2load run lasts S + --duration seconds on the same
                    connections, and req/s, latency, CPU and 'other' are taken over its last
                    --duration seconds only (default $H2_SETTLE: the whole run). New HTTP/2
                    connections set off a wave of JIT recompilation in a JVM that held others
                    for a minute (docs/performance.md, "A wave of recompilation at every new set
                    of HTTP/2 connections"); S past it measures the steady state, for every via alike
  --conns-rounds N  conns case: N pairs of runs (c64 then c1024) per via, the table giving the
                    medians and the median of the N pairs' ratios (default $CONNS_ROUNDS)
  --flag-sets FILE  flags case: one JVM flag set per line ('#' starts a comment, '(none)' = no
                    flags, '@appcds' = AppCDS archive from a training run); default: the 9 sets in
                    this script (JAVA_OPTS does not apply to this case)
  --jfr-dir DIR     alloc case: keep the JFR recordings there (default: the temp dir)
  --top N           alloc case: rows per profile table (default $TOP)
  --jar PATH        gateway jar (default $JAR; built with 'mvn -q -DskipTests package' if missing)
  --port-base N     ports N (backend), N+1..N+3 (aggregate backends), N+10 (gateway), N+11 (its
                    admin), N+12 (bare proxy), N+13 and N+14 (a second JVM and its admin: access
                    log, h2, alloc, flags), N+15 and N+16 (nginx as HTTP/2 proxy: h2c, TLS),
                    N+17 (nginx as HTTP/1.1 proxy: conns), N+19 (the closed port of fast-fail)
                    (default $PORT_BASE)
  --no-pin          do not pin the JVMs and the load (wrk + nginx) to separate CPUs
  --nice N          run nginx, the JVMs, wrk and h2load under 'nice -n N' (e.g. -10 as root on a
                    shared machine; with autogroup scheduling each in a session of its own whose
                    group gets the same nice value, or the value would not count against others)
  --wait-quiet S    before each measured run, wait up to S s until the machine is < 10% busy
                    beyond this script's own processes for 1 s (a shared machine; default $QUIET_WAIT)
  --keep            keep the temp dir (configs, logs, raw wrk/h2load output, JFR recordings)
  --out FILE        also write the tables to FILE
Cases in bench/cluster-cases.sh (not in the default): cluster (rateLimit scope cluster vs instance),
proxyproto (PROXY protocol off vs on behind HAProxy), clustershare (two gateways, one 100 req/s
cluster limit, 2,000 req/s of one key); ports N+20..N+31.
Environment: JAVA_OPTS is passed to every JVM the script starts except in the flags case, and alike
to the gateway and the bare proxy (e.g. JAVA_OPTS='-XX:+UseSerialGC -Xmx64m').
Needs: wrk, nginx, curl, taskset, a JDK 17+ (javac for the bare proxy, jcmd for alloc), h2load and
openssl for h2, mvn if the jar is missing. As root with apt-get, missing wrk/nginx/curl/h2load/openssl
are installed.
EOF
}

abspath() { case $1 in /*) echo "$1" ;; *) echo "$ORIG_PWD/$1" ;; esac; }   # relative to where we were called
POS_CASES=""
while [ $# -gt 0 ]; do
  case $1 in
    --duration|--warmup|--case-warmup|--cases|--jar|--port-base|--nice|--out|--idle-conns|--h2-conns|--h2-streams|--h2-settle|--conns-rounds|--flag-sets|--jfr-dir|--top|--wait-quiet)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; usage >&2; exit 2; } ;;
  esac
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --quick) QUICK=yes DURATION=3 WARMUP=3 CASE_WARMUP=1; shift ;;   # later options override it
    --warmup) WARMUP=$2; shift 2 ;;
    --case-warmup) CASE_WARMUP=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --idle-conns) IDLE_CONNS=$2; shift 2 ;;
    --h2-conns) H2_CONNS=$2; shift 2 ;;
    --h2-streams) H2_STREAMS=$2; shift 2 ;;
    --h2-settle) H2_SETTLE=$2; shift 2 ;;
    --conns-rounds) CONNS_ROUNDS=$2; shift 2 ;;
    --flag-sets) FLAG_SETS_FILE=$(abspath "$2"); shift 2 ;;
    --jfr-dir) JFR_DIR=$(abspath "$2"); shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    --jar) JAR=$(abspath "$2"); shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --no-pin) PIN=no; shift ;;
    --no-bare) BARE=no; shift ;;
    --alloc-accesslog) ALLOC_ACCESSLOG=yes; shift ;;
    --keep) KEEP=yes; shift ;;
    --nice) NICE=$2; shift 2 ;;
    --wait-quiet) QUIET_WAIT=$2; shift 2 ;;
    --out) OUT=$(abspath "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    *) POS_CASES=${POS_CASES:+$POS_CASES,}$1; shift ;;
  esac
done
[ -n "$POS_CASES" ] && CASES=$POS_CASES
[[ ",$CASES," == *,all,* ]] && CASES=$ALL_CASES
for v in DURATION WARMUP CASE_WARMUP PORT_BASE IDLE_CONNS H2_CONNS H2_STREAMS CONNS_ROUNDS TOP QUIET_WAIT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "--$(echo "${v,,}" | tr _ -): not a whole number: ${!v}" >&2; exit 2; }
done
[ "$DURATION" -ge 1 ] || { echo "--duration must be >= 1" >&2; exit 2; }
[ "$H2_CONNS" -ge 1 ] && [ "$H2_STREAMS" -ge 1 ] || { echo "--h2-conns and --h2-streams must be >= 1" >&2; exit 2; }
[[ $H2_SETTLE =~ ^[0-9]+$ ]] || { echo "--h2-settle must be a whole number of seconds >= 0" >&2; exit 2; }
[ "$CONNS_ROUNDS" -ge 1 ] || { echo "--conns-rounds must be >= 1" >&2; exit 2; }
[[ $NICE =~ ^-?[0-9]+$ ]] || { echo "--nice: not an integer: $NICE" >&2; exit 2; }
[ -z "$FLAG_SETS_FILE" ] || [ -r "$FLAG_SETS_FILE" ] || { echo "--flag-sets: cannot read $FLAG_SETS_FILE" >&2; exit 2; }
NI=()
if [ "$NICE" != 0 ]; then
  if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] && command -v setsid >/dev/null 2>&1; then
    # With autogroup scheduling, a nice value only ranks processes within their session, and each
    # session gets an equal share of a CPU: every process run here gets a session of its own (its
    # PID is kept: a background job is no process-group leader, so setsid does not fork) whose
    # group has the same nice value.
    NI=(setsid bash -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"' "$NICE")
  else
    NI=(nice -n "$NICE")
  fi
fi
for c in ${CASES//,/ }; do
  [[ ",$ALL_CASES," == *",$c,"* ]] || { echo "unknown case '$c' (cases: $ALL_CASES, or all)" >&2; exit 2; }
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
if has_case h2; then
  need h2load nghttp2-client
  need openssl openssl
  nginx -V 2>&1 | grep -q -- --with-http_v2_module || die "the h2 case needs nginx with the http_v2 module (nginx -V)"
fi
command -v java >/dev/null 2>&1 || die "missing 'java' (a JDK/JRE 17 or newer)"
command -v taskset >/dev/null 2>&1 || { log "taskset not found (util-linux): not pinning"; PIN=no; }
JAVA_MAJOR=$(java -version 2>&1 | awk -F'"' 'NR==1{split($2, v, "."); print (v[1] == 1 ? v[2] : v[1])}')
[ "${JAVA_MAJOR:-0}" -ge 17 ] 2>/dev/null || die "java 17 or newer needed (found: $(java -version 2>&1 | head -1))"
NEED_BARE=no
if [ $BARE = yes ] && { has_case proxy || has_case conns || has_case alloc || has_case h2; }; then
  NEED_BARE=yes
  command -v javac >/dev/null 2>&1 \
    || die "missing 'javac': the bare Vert.x proxy (bench/BareProxy.java) is compiled here; install a JDK 17+, or pass --no-bare"
fi
if has_case alloc; then
  command -v jcmd >/dev/null 2>&1 || die "missing 'jcmd' (a JDK 17+): the alloc case starts and stops JFR with it"
fi

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
BARE_PORT=$((PORT_BASE + 12))
EXTRA_PORT=$((PORT_BASE + 13))                 # one more JVM at a time: accesslog, h2, alloc, flags
EXTRA_ADMIN_PORT=$((PORT_BASE + 14))
NGINX_H2C_PORT=$((PORT_BASE + 15))
NGINX_H2TLS_PORT=$((PORT_BASE + 16))
NGINX_H1_PORT=$((PORT_BASE + 17))
DEAD_PORT=$((PORT_BASE + 19))
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $BACKEND_PORT "${AGG_PORTS[@]}" $GW_PORT $ADMIN_PORT $BARE_PORT $EXTRA_PORT $EXTRA_ADMIN_PORT \
    $NGINX_H2C_PORT $NGINX_H2TLS_PORT $NGINX_H1_PORT $DEAD_PORT; do
  port_open "$p" && die "port $p is in use (choose others with --port-base)"
done

# ---------------------------------------------------------------- process tracking
# TMP, STARTED (the PIDs we started), tree_pids, stop_pid (by PID, the whole tree), stop_all,
# wait_http, nginx_conf_head, and the EXIT/INT/TERM traps: bench/lib.sh.
. "$ROOT/bench/lib.sh"
bench_tmp bench
stop_started() {                               # stop_started PID: stop it and forget it
  local keep=() x
  stop_pid "$1"
  for x in "${STARTED[@]}"; do [ "$x" != "$1" ] && keep+=("$x"); done
  STARTED=("${keep[@]}")
}

# ---------------------------------------------------------------- backend (nginx)
mkdir -p "$TMP/nginx/tmp" "$TMP/www/files" "$TMP/raw"
chmod -R 755 "$TMP/www"
head -c 1048576 /dev/zero >"$TMP/www/files/1m"
head -c 104857600 /dev/zero >"$TMP/www/files/100m"
chmod 644 "$TMP/www/files/"*
{ nginx_conf_head "$TMP/nginx" "$NLOAD" 8192; cat <<EOF
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
} >"$TMP/nginx/nginx.conf"
NGINX_E=(); nginx -h 2>&1 | grep -q -- '-e filename' && NGINX_E=(-e "$TMP/nginx/error.log")
"${NI[@]}" "${LOADPIN[@]}" nginx -p "$TMP/nginx/" "${NGINX_E[@]}" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!; STARTED+=("$NGINX_PID")
wait_http "http://127.0.0.1:$BACKEND_PORT/" $NGINX_PID 15 \
  || { cat "$TMP/nginx/error.log" "$TMP/nginx/stdout.log" >&2 2>/dev/null; die "nginx did not start"; }
log "nginx pid $NGINX_PID ($NLOAD workers), ports $BACKEND_PORT and ${AGG_PORTS[*]}; $PLACEMENT"

# ---------------------------------------------------------------- JVMs: gateway and bare proxy
read -r -a JOPTS <<<"$JAVA_OPTS"                # split once; passed alike to the gateway and the bare proxy

# gateway_config FILE PORT ADMIN_PORT [ACCESS_LOG true|false] [MORE SERVER JSON]: the bench config
gateway_config() {
  local f=$1 port=$2 admin=$3 alog=${4:-false} more=${5:-}
  bench_gateway_config "$f" "$port" "$admin" "$alog" "$more" "" "$BACKEND_PORT" "$DEAD_PORT" \
    "${AGG_PORTS[0]}" "${AGG_PORTS[1]}" "${AGG_PORTS[2]}"
  java -jar "$JAR" --config "$f" --check >"$f.check.log" 2>&1 \
    || { cat "$f.check.log" >&2; die "the generated gateway config $f is invalid"; }
}

# wait_proxied URL PID SECONDS [CURL OPTION...]: until GET URL answers 200 with the backend's body
wait_proxied() {
  local url=$1 pid=$2 max=$3 t0=$SECONDS body; shift 3
  while [ $((SECONDS - t0)) -lt "$max" ]; do
    body=$("${LOADPIN[@]}" curl -k -s -m 2 "$@" -w ' %{http_code}' "$url" 2>/dev/null)
    [ "$body" = '{"ok":true} 200' ] && return 0
    [ -d "/proc/$pid" ] || return 1
    sleep 0.02
  done
  return 1
}

# start_nginx_proxy DIR KEEPALIVE WHAT URL SERVER-LINES [CURL-ARG...]: nginx as a reverse proxy to
# the backend, NGW worker(s) pinned to the gateway's CPUs, its files under DIR, upstream keep-alive
# of KEEPALIVE idle connections, SERVER-LINES (listen, TLS) at the head of its server block; waits
# for a proxied 200 on URL (curl with CURL-ARG). Sets NGINX_PROXY_PID (also in STARTED).
start_nginx_proxy() {
  local dir=$1 keepalive=$2 what=$3 url=$4 server=$5 e=(); shift 5
  mkdir -p "$dir/tmp"
  { nginx_conf_head "$dir" "$NGW" 8192; cat <<NGX
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive $keepalive;
        keepalive_requests 10000000;
    }
    server {
        $server
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
NGX
  } >"$dir/nginx.conf"
  [ ${#NGINX_E[@]} -gt 0 ] && e=(-e "$dir/error.log")
  "${NI[@]}" "${GWPIN[@]}" nginx -p "$dir/" "${e[@]}" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
  NGINX_PROXY_PID=$!; STARTED+=("$NGINX_PROXY_PID")
  wait_proxied "$url" "$NGINX_PROXY_PID" 15 "$@" \
    || { cat "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null; die "nginx ($what) did not start"; }
}

# start_jvm LOG URL JAVA-ARG...: 'java JAVA-ARG...' pinned to the gateway CPUs, output to LOG; waits
# for a proxied 200 on URL. Sets J_PID and J_READY_MS (launch to that first proxied 200).
start_jvm() {
  local logf=$1 url=$2 t0; shift 2
  t0=$(date +%s%N)
  "${NI[@]}" "${GWPIN[@]}" java "$@" >"$logf" 2>&1 &
  J_PID=$!; STARTED+=("$J_PID")
  if ! wait_proxied "$url" "$J_PID" 60; then
    tail -20 "$logf" >&2
    stop_started "$J_PID"
    return 1
  fi
  J_READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

gateway_config "$TMP/gateway.json" "$GW_PORT" "$ADMIN_PORT"
start_jvm "$TMP/gateway.log" "http://127.0.0.1:$GW_PORT/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway.json" \
  || die "gateway did not answer a proxied 200 (log: $TMP/gateway.log)"
GW_PID=$J_PID READY_MS=$J_READY_MS
log "gateway pid $GW_PID: first proxied 200 after ${READY_MS} ms (JAVA_OPTS='$JAVA_OPTS')"

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

BARE_CP=""
if [ $NEED_BARE = yes ]; then
  mkdir -p "$TMP/bare-classes"
  javac -nowarn -Xlint:none -cp "$JAR" -d "$TMP/bare-classes" bench/BareProxy.java >"$TMP/javac.log" 2>&1 \
    || { grep -v 'warning' "$TMP/javac.log" >&2; die "bench/BareProxy.java did not compile"; }
  BARE_CP="$JAR:$TMP/bare-classes"
fi
BARE_PID="" BARE_READY_MS=""
if { has_case proxy || has_case conns; } && [ $BARE = yes ]; then
  start_jvm "$TMP/bare.log" "http://127.0.0.1:$BARE_PORT/" "${JOPTS[@]}" -cp "$BARE_CP" BareProxy "$BARE_PORT" \
      "http://127.0.0.1:$BACKEND_PORT" || die "the bare proxy did not answer a proxied 200 (log: $TMP/bare.log)"
  BARE_PID=$J_PID BARE_READY_MS=$J_READY_MS
  log "bare Vert.x proxy pid $BARE_PID: first proxied 200 after ${BARE_READY_MS} ms"
fi

# ---------------------------------------------------------------- measuring
cat >"$TMP/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d bytes=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f err_status=%d err_sock=%d\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }   # utime+stime, all threads
tree_ticks() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(cpu_ticks "$p"); s=$((s + ${v:-0})); done; echo $s; }
ours_ticks() { local p s=0; for p in "${STARTED[@]}"; do s=$((s + $(tree_ticks "$p"))); done; echo $s; }   # everything we started
busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }   # all CPUs, busy
children_ticks() {                             # CT = CPU ticks of this shell's waited-for children (wrk, curl...)
  times >"$TMP/times.txt"                      # builtin; call directly, never inside $(...)
  CT=$(awk -v hz="$CLK_TCK" 'NR == 2 {s = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); s += a[1] * 60 + a[2]}; printf "%.0f", s * hz}' "$TMP/times.txt")
}
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null; }
# Reset the peak-RSS counter (Linux >= 4.0); if that is refused, peak RSS is sampled every 100 ms.
CLEAR_REFS=no; echo 5 2>/dev/null >"/proc/$GW_PID/clear_refs" && CLEAR_REFS=yes
# wait_quiet: up to QUIET_WAIT s for a 1-s window in which processes not started here use < 10% of a core
wait_quiet() {
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local t0=$SECONDS b0 b1 o0 o1 k0 k1 n0 n1 other
  while [ $((SECONDS - t0)) -lt "$QUIET_WAIT" ]; do
    o0=$(ours_ticks); children_ticks; k0=$CT; b0=$(busy_ticks); n0=$(date +%s%N)
    sleep 1
    b1=$(busy_ticks); n1=$(date +%s%N); o1=$(ours_ticks); children_ticks; k1=$CT
    other=$(( 100 * ((b1 - b0) - (o1 - o0) - (k1 - k0)) * 1000000000 / CLK_TCK / (n1 - n0) ))
    if [ "$other" -lt 10 ]; then
      [ $((SECONDS - t0)) -gt 1 ] && log "machine quiet after $((SECONDS - t0))s"
      return 0
    fi
  done
  log "machine still busy after ${QUIET_WAIT}s (other processes ${other}% of a core); measuring anyway"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f×", a / b }'; }
# round DIGITS X: X with that many decimals ('-' stays '-')
round() { case $2 in ''|-) echo - ;; *) awk -v d="$1" -v x="$2" 'BEGIN{printf "%.*f\n", d, x}' ;; esac; }
# median X...: the median of the numbers given ('-' and empty ones left out; '-' when none is left)
median() {
  printf '%s\n' "$@" | awk '$1 ~ /^[0-9.]+$/ {v[n++] = $1 + 0} END {
    if (n == 0) { print "-"; exit }
    for (i = 1; i < n; i++) for (j = i; j > 0 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    m = (n % 2) ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2
    if (m == int(m)) printf "%d\n", m; else printf "%.2f\n", m }'
}

# run_wrk TAG URL CONNS SECONDS [TIMEOUT] -> W_req W_rps W_mbs W_p50 W_p99 W_status W_sock (false on failure)
run_wrk() {
  local tag=$1 url=$2 c=$3 d=$4 to=${5:-5s} t=$WRK_THREADS f line
  [ "$c" -lt "$t" ] && t=$c
  f="$TMP/raw/${tag//[^A-Za-z0-9._-]/_}.txt"
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

# run_h2load TAG URL SECONDS -> W_req W_rps W_p50 W_p99 W_status W_sock (false on failure)
run_h2load() {
  h2load_start "$1" "$2" "$3" && h2load_finish "$1" ""
}

# h2load_start TAG URL SECONDS: starts h2load in the background (H2_PID); h2load_finish TAG
# [SINCE_NS] waits for it and sets W_* as run_h2load does, from the requests that ended at or after
# SINCE_NS (date +%s%N) when it is given: the window a settled run measures (--h2-settle).
h2load_start() {
  local tag=$1 url=$2 d=$3 f lf
  f="$TMP/raw/${tag//[^A-Za-z0-9._-]/_}.txt" lf="$TMP/raw/${tag//[^A-Za-z0-9._-]/_}.log"
  rm -f "$lf"
  timeout $((d + 90)) "${NI[@]}" "${LOADPIN[@]}" h2load -t1 -c"$H2_CONNS" -m"$H2_STREAMS" -D "$d" \
      --log-file="$lf" "$url" >"$f" 2>&1 &
  H2_PID=$!
}

h2load_finish() {
  local tag=$1 since=${2:-} f lf line t1 window
  f="$TMP/raw/${tag//[^A-Za-z0-9._-]/_}.txt" lf="$TMP/raw/${tag//[^A-Za-z0-9._-]/_}.log"
  wait "$H2_PID"
  line=$(grep '^requests:' "$f" | tail -1)
  [ -n "$line" ] && grep -q '^finished in' "$f" || { log "h2load failed for $tag: $(tail -3 "$f" | tr '\n' ' ')"; return 1; }
  # requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout
  W_req=$(awk '{print $6}' <<<"$line")          # done
  W_sock=$(awk '{print $12 + $14}' <<<"$line")  # errored + timeout
  W_status=$(grep '^status codes:' "$f" | awk '{print $5 + $7 + $9}')
  W_rps=$(grep '^finished in' "$f" | awk '{gsub(",", "", $4); printf "%.0f", $4}')
  W_mbs=-                                        # (set by wrk runs; the h2 case alone has none)
  # the log: start time (µs since epoch), status, microseconds to the end of the response
  if [ -n "$since" ]; then
    # Only the window: requests that ended from SINCE to the last one's end; errors there by status.
    read -r W_req W_rps W_status < <(awk -v a=$((since / 1000)) '{e = $1 + $3} e >= a {n++; if ($2 < 200 || $2 >= 400) bad++; if (e > last) last = e}
        END {w = (last - a) / 1e6; printf "%d %.0f %d\n", n, (w > 0 ? n / w : 0), bad}' "$lf")
  fi
  read -r W_p50 W_p99 < <(awk -v a=$(( ${since:-0} / 1000 )) '$1 + $3 >= a {print $3}' "$lf" 2>/dev/null | sort -n | awk '{a[NR] = $1}
      function at(q,  i) {i = int(NR * q); if (i < 1) i = 1; return a[i] / 1000}
      END {if (NR == 0) print "- -"; else printf "%.2f %.2f\n", at(0.50), at(0.99)}')
  [ $KEEP = yes ] || rm -f "$lf"
}

ROWS=()                                        # one markdown row each
MAX_OTHER=0                                    # highest CPU use by processes not started here
declare -A DIRECT                              # DIRECT[case] = req/s or MB/s of the direct run
declare -A VIA_PID VIA_LABEL                   # a measured JVM (or nginx proxy) per 'via' key
declare -A RES                                 # RES["CASE cCONNS VIA",field]: rps p50 p99 us req ticks peak other
VIA_PID[gateway]=$GW_PID VIA_LABEL[gateway]=gateway
[ -n "$BARE_PID" ] && VIA_PID[bare]=$BARE_PID VIA_LABEL[bare]="bare Vert.x"

# measure CASE VIA URL CONNS UNIT(rps|mbs|h2) [WRK_TIMEOUT]: VIA = direct or a key of VIA_PID.
# unit h2 = h2load (HTTP/2) instead of wrk, req/s.
measure() {
  local name=$1 via=$2 url=$3 c=$4 unit=$5 to=${6:-5s} pid="" label c0=0 c1=0 t0 t1 sampler="" peak cpu us ratio val
  local b0 b1 o0 o1 k0 k1 other p50 p99 key="$1 c$4 $2" tool=run_wrk p ok=yes
  [ "$via" != direct ] && pid=${VIA_PID[$via]}
  label=${VIA_LABEL[$via]:-$via}
  if [ "$unit" = h2 ]; then tool=run_h2load; fi
  if [ -n "$pid" ] && [ "$CASE_WARMUP" -gt 0 ]; then
    if [ $tool = run_h2load ]; then run_h2load "$name-$via-warmup" "$url" "$CASE_WARMUP" >/dev/null || true
    else run_wrk "$name-c$c-$via-warmup" "$url" "$c" "$CASE_WARMUP" "$to" >/dev/null || true; fi
  fi
  wait_quiet
  log "$name c$c $label: ${DURATION}s"
  if [ -n "$pid" ]; then
    if [ $CLEAR_REFS = yes ]; then
      for p in $(tree_pids "$pid"); do echo 5 >"/proc/$p/clear_refs" 2>/dev/null; done
    else
      rm -f "$TMP/peak"
      (m=0; while [ -d "/proc/$pid" ]; do r=$(rss_kb "$pid"); [ "${r:-0}" -gt $m ] && m=$r && echo $m >"$TMP/peak"; sleep 0.1; done) &
      sampler=$!
    fi
  fi
  local settled=no
  if [ $tool = run_h2load ] && [ "$H2_SETTLE" -gt 0 ]; then
    # One h2load run of H2_SETTLE + DURATION s; all but the peak RSS is read from its last DURATION s.
    settled=yes
    h2load_start "$name-$via" "$url" $((H2_SETTLE + DURATION))
    sleep "$H2_SETTLE"
  fi
  o0=$(ours_ticks); children_ticks; k0=$CT; b0=$(busy_ticks)
  # The proxy's CPU is read next to the clock: a settled run is already under load here.
  [ -n "$pid" ] && c0=$(tree_ticks "$pid")
  t0=$(date +%s%N)
  if [ $settled = yes ]; then
    # h2load's own CPU before the window is not ours within it: counted out of 'other' below.
    local h2pre; h2pre=$(tree_ticks "$H2_PID")
    h2load_finish "$name-$via" "$t0" || ok=no
    k0=$((k0 + h2pre))
  elif [ $tool = run_h2load ]; then run_h2load "$name-$via" "$url" "$DURATION" || ok=no
  else run_wrk "$name-c$c-$via" "$url" "$c" "$DURATION" "$to" || ok=no; fi
  if [ $ok = no ]; then
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    ROWS+=("| $name | $label | $c | FAILED (see raw output with --keep) | | | | | | | | | |")
    return 1
  fi
  t1=$(date +%s%N)
  [ -n "$pid" ] && c1=$(tree_ticks "$pid")
  b1=$(busy_ticks); children_ticks; k1=$CT; o1=$(ours_ticks)
  other=$(awk -v b=$((b1 - b0)) -v ours=$(( (o1 - o0) + (k1 - k0) )) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) \
      'BEGIN{o = b - ours; if (o < 0) o = 0; printf "%.0f", 100 * o / hz / (ns / 1e9)}')
  [ "$other" -gt "$MAX_OTHER" ] && MAX_OTHER=$other
  cpu="-" us="-" peak="-" ratio="-"
  if [ -n "$pid" ]; then
    [ -d "/proc/$pid" ] || die "$label died during $name (see the logs in $TMP with --keep)"
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null; peak=$(cat "$TMP/peak" 2>/dev/null)
    else peak=0; for p in $(tree_pids "$pid"); do peak=$((peak + $(hwm_kb "$p"))); done; fi
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
  local mbs=$W_mbs; [ "$unit" = h2 ] && mbs="-"
  ROWS+=("| $name | $label | $c | $W_rps | $mbs | $p50 | $p99 | $errs | $ratio | $cpu | $us | $peak | $other% |")
  RES[$key,rps]=$W_rps RES[$key,p50]=$p50 RES[$key,p99]=$p99 RES[$key,us]=$us RES[$key,req]=$W_req
  RES[$key,ticks]=$((c1 - c0)) RES[$key,peak]=$peak RES[$key,other]=$other RES[$key,errn]=$((W_status + W_sock))
  log "  $W_rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $W_status, socket errors $W_sock, CPU $cpu ($us µs/req), other load $other%"
}

# jit_warmup VIA URL [h2]: the JIT warm-up of a freshly started JVM (WARMUP s at c64, or h2load)
jit_warmup() {
  [ "$WARMUP" -gt 0 ] || return 0
  log "JIT warm-up of ${VIA_LABEL[$1]:-$1}: ${WARMUP}s"
  if [ "${3:-}" = h2 ]; then run_h2load "jit-warmup-$1" "$2" "$WARMUP" >/dev/null || true
  else run_wrk "jit-warmup-$1" "$2" 64 "$WARMUP" >/dev/null || true; fi
}

D="http://127.0.0.1:$BACKEND_PORT"
G="http://127.0.0.1:$GW_PORT"
B="http://127.0.0.1:$BARE_PORT"
X="http://127.0.0.1:$EXTRA_PORT"

for c in proxy fastfail aggregate stream conns idle accesslog; do   # the cases that load the main gateway
  if has_case $c; then jit_warmup gateway "$G/"; break; fi
done
[ -n "$BARE_PID" ] && jit_warmup bare "$B/"

if has_case proxy; then
  for c in 64 8; do
    measure proxy direct "$D/" $c rps
    measure proxy gateway "$G/" $c rps
    [ -n "$BARE_PID" ] && measure proxy bare "$B/" $c rps
  done
  if [ -n "$BARE_PID" ] && ! has_case conns; then   # the yardstick has done its part: free its memory
    stop_started "$BARE_PID"; BARE_PID=""
  fi
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

CONNS_ROWS=() CONNS_ROUNDS_ROWS=()
# shed_total: the gateway's portcullis_shed_total (every upstream), from its admin /metrics
shed_total() {
  curl -s -m 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^portcullis_shed_total[{ ]/ {s += $NF} END {printf "%.0f", s}'
}
if has_case conns; then
  # nginx as an HTTP/1.1 reverse proxy on the gateway's CPUs, the C reference for the same ratio:
  # upstream keepalive 1024 keeps an idle connection for every client, as the gateway's pool does
  # (with nginx's usual 128, connections past it are opened and closed per request at c1024).
  start_nginx_proxy "$TMP/nginx-h1" 1024 "HTTP/1.1 proxy" "http://127.0.0.1:$NGINX_H1_PORT/" \
      "listen 127.0.0.1:$NGINX_H1_PORT backlog=4096;"
  NGINX_H1_PID=$NGINX_PROXY_PID
  VIA_PID[nginx]=$NGINX_H1_PID VIA_LABEL[nginx]="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (proxy)"
  log "nginx HTTP/1.1 proxy pid $NGINX_H1_PID ($NGW worker(s)) on port $NGINX_H1_PORT, upstream keepalive 1024"
  # c64 and c1024 back to back for each, so the two sides of each ratio share the machine's load;
  # with --conns-rounds N, N such pairs, and the medians (one pair's figures when N is 1).
  for via in direct nginx gateway bare; do
    [ "$via" = bare ] && [ -z "$BARE_PID" ] && continue
    case $via in direct) u="$D/" ;; nginx) u="http://127.0.0.1:$NGINX_H1_PORT/" ;; gateway) u="$G/" ;; bare) u="$B/" ;; esac
    shed0=$(shed_total)
    r64=() r1k=() u64=() u1k=() rr=() ur=() o64=() o1k=() errs=0
    for ((round = 1; round <= CONNS_ROUNDS; round++)); do
      [ "$CONNS_ROUNDS" -gt 1 ] && log "conns $via: round $round of $CONNS_ROUNDS"
      measure conns $via "$u" 64 rps
      measure conns $via "$u" 1024 rps
      k64="conns c64 $via" k1k="conns c1024 $via"
      r64+=("${RES[$k64,rps]:-}") r1k+=("${RES[$k1k,rps]:-}") u64+=("${RES[$k64,us]:-}") u1k+=("${RES[$k1k,us]:-}")
      rr+=("$(ratio "${RES[$k1k,rps]:-}" "${RES[$k64,rps]:-}" | tr -d '×')")
      ur+=("$(ratio "${RES[$k1k,us]:-}" "${RES[$k64,us]:-}" | tr -d '×')")
      o64+=("${RES[$k64,other]:--}") o1k+=("${RES[$k1k,other]:--}")
      errs=$((errs + ${RES[$k1k,errn]:-0}))
    done
    shed="-"; [ "$via" = gateway ] && shed=$(( $(shed_total) - shed0 ))
    m64=$(round 0 "$(median "${r64[@]}")") m1k=$(round 0 "$(median "${r1k[@]}")") mrr=$(median "${rr[@]}")
    mu64=$(round 1 "$(median "${u64[@]}")") mu1k=$(round 1 "$(median "${u1k[@]}")") mur=$(median "${ur[@]}")
    [ "$mrr" != - ] && mrr="$mrr×"; [ "$mur" != - ] && mur="$mur×"
    CONNS_ROWS+=("| ${VIA_LABEL[$via]:-$via} | $m64 | $m1k | **$mrr** | $mu64 | $mu1k | $mur | $errs | $shed | $(IFS=,; echo "${o64[*]}")% / $(IFS=,; echo "${o1k[*]}")% |")
    [ "$CONNS_ROUNDS" -gt 1 ] && CONNS_ROUNDS_ROWS+=("| ${VIA_LABEL[$via]:-$via} | $(IFS=' '; echo "${rr[*]}") | $(IFS=' '; echo "${ur[*]}") |")
  done
  stop_started "$NGINX_H1_PID"
  if [ -n "$BARE_PID" ]; then
    stop_started "$BARE_PID"; BARE_PID=""
  fi
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

ACCESS_SUMMARY=""
if has_case accesslog; then
  gateway_config "$TMP/gateway-accesslog.json" "$EXTRA_PORT" "$EXTRA_ADMIN_PORT" true
  if start_jvm "$TMP/gateway-accesslog.log" "$X/" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-accesslog.json"; then
    VIA_PID[gateway-log]=$J_PID VIA_LABEL[gateway-log]="gateway, access log on"
    log "gateway with the access log on: pid $J_PID, first proxied 200 after ${J_READY_MS} ms"
    jit_warmup gateway-log "$X/"
    off_t=0 off_r=0 on_t=0 on_r=0
    for _ in 1 2; do                            # off, on, off, on: drift on a shared machine hits both
      k="access log A/B c64 gateway"
      measure "access log A/B" gateway "$G/" 64 rps && off_t=$((off_t + ${RES[$k,ticks]})) off_r=$((off_r + ${RES[$k,req]}))
      k="access log A/B c64 gateway-log"
      measure "access log A/B" gateway-log "$X/" 64 rps && on_t=$((on_t + ${RES[$k,ticks]})) on_r=$((on_r + ${RES[$k,req]}))
    done
    lines=$(wc -l <"$TMP/gateway-accesslog.log")
    ACCESS_SUMMARY=$(awk -v ot="$off_t" -v or="$off_r" -v nt="$on_t" -v nr="$on_r" -v hz="$CLK_TCK" -v l="$lines" 'BEGIN{
      if (or == 0 || nr == 0 || ot == 0) { print "Access log A/B: no complete pair of runs."; exit }
      a = ot / hz * 1e6 / or; b = nt / hz * 1e6 / nr
      printf "Access log A/B (c64, two runs each, alternated): **%.1f µs CPU/request with the log on vs %.1f off = %.2f× (%+.0f%%)**; target ≤ 1.10×. The log-on gateway wrote %d lines to a file.", b, a, b / a, 100 * (b / a - 1), l }')
    log "  $ACCESS_SUMMARY"
    stop_started "${VIA_PID[gateway-log]}"
  else
    ROWS+=("| access log A/B | gateway, access log on | 64 | FAILED to start (see $TMP/gateway-accesslog.log with --keep) | | | | | | | | | |")
  fi
fi

H2_ROWS=()
if has_case h2; then
  mkdir -p "$TMP/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >"$TMP/tls/openssl.log" 2>&1 \
    || { cat "$TMP/tls/openssl.log" >&2; die "openssl could not make a test certificate"; }
  chmod 644 "$TMP/tls/"*.pem
  start_nginx_proxy "$TMP/nginx-h2" 128 "HTTP/2 proxy" "http://127.0.0.1:$NGINX_H2C_PORT/" \
      "listen 127.0.0.1:$NGINX_H2C_PORT http2 backlog=4096;
        listen 127.0.0.1:$NGINX_H2TLS_PORT ssl http2 backlog=4096;
        ssl_certificate $TMP/tls/cert.pem;
        ssl_certificate_key $TMP/tls/key.pem;" --http2-prior-knowledge
  NGINX_H2_PID=$NGINX_PROXY_PID
  VIA_PID[nginx-h2]=$NGINX_H2_PID VIA_LABEL[nginx-h2]="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (http2)"
  log "nginx HTTP/2 proxy pid $NGINX_H2_PID ($NGW worker(s)) on ports $NGINX_H2C_PORT (h2c) and $NGINX_H2TLS_PORT (TLS)"
  for mode in h2c tls; do
    if [ $mode = h2c ]; then
      more=', "h2c": true'; gurl="$X/"; nurl="http://127.0.0.1:$NGINX_H2C_PORT/"; name="HTTP/2 h2c"
    else
      more=", \"tls\": { \"certFile\": \"$TMP/tls/cert.pem\", \"keyFile\": \"$TMP/tls/key.pem\" }"
      gurl="https://127.0.0.1:$EXTRA_PORT/"; nurl="https://127.0.0.1:$NGINX_H2TLS_PORT/"; name="HTTP/2 TLS"
    fi
    gateway_config "$TMP/gateway-$mode.json" "$EXTRA_PORT" "$EXTRA_ADMIN_PORT" false "$more"
    if ! start_jvm "$TMP/gateway-$mode.log" "$gurl" "${JOPTS[@]}" -jar "$JAR" --config "$TMP/gateway-$mode.json"; then
      ROWS+=("| $name | gateway | $H2_CONNS×$H2_STREAMS | FAILED to start (see $TMP/gateway-$mode.log with --keep) | | | | | | | | | |")
      continue
    fi
    VIA_PID[gateway-$mode]=$J_PID VIA_LABEL[gateway-$mode]="gateway ($mode)"
    log "gateway ($mode) pid $J_PID, first proxied 200 after ${J_READY_MS} ms"
    jit_warmup "gateway-$mode" "$gurl" h2
    measure "$name" "gateway-$mode" "$gurl" "$H2_CONNS×$H2_STREAMS" h2
    stop_started "${VIA_PID[gateway-$mode]}"
    measure "$name" nginx-h2 "$nurl" "$H2_CONNS×$H2_STREAMS" h2
    gk="$name c$H2_CONNS×$H2_STREAMS gateway-$mode" nk="$name c$H2_CONNS×$H2_STREAMS nginx-h2"
    H2_ROWS+=("| $name | ${RES[$gk,rps]:--} | ${RES[$nk,rps]:--} | **$(ratio "${RES[$gk,rps]:-}" "${RES[$nk,rps]:-}")** | ${RES[$gk,p99]:--} / ${RES[$nk,p99]:--} | ${RES[$gk,us]:--} / ${RES[$nk,us]:--} | $(ratio "${RES[$gk,us]:-}" "${RES[$nk,us]:-}") | ${RES[$gk,errn]:--} / ${RES[$nk,errn]:--} | ${RES[$gk,other]:--}% / ${RES[$nk,other]:--}% |")
    # The stack's own ceiling over h2c: the bare Vert.x proxy (its server takes h2c with prior
    # knowledge), measured against the same nginx in the same run. (Over TLS it would need a
    # certificate of its own; not measured.)
    if [ $mode = h2c ] && [ -n "$BARE_CP" ]; then
      burl="http://127.0.0.1:$EXTRA_PORT/"
      if start_jvm "$TMP/bare-h2c.log" "$burl" "${JOPTS[@]}" -cp "$BARE_CP" BareProxy "$EXTRA_PORT" "http://127.0.0.1:$BACKEND_PORT"; then
        VIA_PID[bare-h2c]=$J_PID VIA_LABEL[bare-h2c]="bare Vert.x (h2c)"
        log "bare Vert.x proxy (h2c) pid $J_PID, first proxied 200 after ${J_READY_MS} ms"
        jit_warmup bare-h2c "$burl" h2
        measure "$name" bare-h2c "$burl" "$H2_CONNS×$H2_STREAMS" h2
        stop_started "${VIA_PID[bare-h2c]}"
        bk="$name c$H2_CONNS×$H2_STREAMS bare-h2c"
        H2_ROWS+=("| $name, bare Vert.x proxy | ${RES[$bk,rps]:--} | ${RES[$nk,rps]:--} | $(ratio "${RES[$bk,rps]:-}" "${RES[$nk,rps]:-}") | ${RES[$bk,p99]:--} / ${RES[$nk,p99]:--} | ${RES[$bk,us]:--} / ${RES[$nk,us]:--} | $(ratio "${RES[$bk,us]:-}" "${RES[$nk,us]:-}") | ${RES[$bk,errn]:--} / ${RES[$nk,errn]:--} | ${RES[$bk,other]:--}% / ${RES[$nk,other]:--}% |")
      else
        H2_ROWS+=("| $name, bare Vert.x proxy | FAILED to start (see $TMP/bare-h2c.log with --keep) | | | | | | | |")
      fi
    fi
  done
  stop_started "$NGINX_H2_PID"
fi

ALLOC_REPORT=""
if has_case alloc; then
  JFR_OUT=${JFR_DIR:-$TMP/jfr}; mkdir -p "$JFR_OUT"
  cat >"$TMP/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<!-- bench/run.sh alloc: exact bytes per thread at the recording's start and end, allocation
     samples and execution samples with stack traces, and every garbage collection. -->
<configuration version="2.0" label="portcullis-bench-alloc" description="bench/run.sh alloc" provider="Portcullis">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
  <event name="jdk.ObjectAllocationSample"><setting name="enabled">true</setting><setting name="throttle">1000/s</setting><setting name="stackTrace">true</setting></event>
  <event name="jdk.ExecutionSample"><setting name="enabled">true</setting><setting name="period">2 ms</setting></event>
  <event name="jdk.GarbageCollection"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
</configuration>
JFC
  ALLOC_ARGS=()
  profile_one() {                              # profile_one NAME JAVA-ARG...: a fresh JVM on EXTRA_PORT
    local name=$1 rec; shift
    rec="$JFR_OUT/$name.jfr"
    # Deep stacks (a Netty pipeline is ~40 frames before any handler code); small fixed TLABs, because
    # JFR takes an allocation sample only when a thread needs a new TLAB: more samples, same bytes.
    start_jvm "$TMP/alloc-$name.log" "$X/" "${JOPTS[@]}" -XX:FlightRecorderOptions=stackdepth=256 \
        -XX:TLABSize=16k -XX:-ResizeTLAB "$@" \
      || { log "alloc: $name did not start (see $TMP/alloc-$name.log)"; return 1; }
    VIA_PID[alloc-$name]=$J_PID VIA_LABEL[alloc-$name]="$name (JFR)"
    # A JVM's first JFR recording sets JFR up (classes, threads, recompiled code): throughput drops
    # to a third for some seconds. A throw-away recording before the warm-up takes that cost.
    { "${LOADPIN[@]}" jcmd "$J_PID" JFR.start name=bench-init settings="$TMP/alloc.jfc" \
        && "${LOADPIN[@]}" jcmd "$J_PID" JFR.stop name=bench-init; } >"$TMP/jcmd-$name.log" 2>&1 \
      || { cat "$TMP/jcmd-$name.log" >&2; stop_started "$J_PID"; return 1; }
    jit_warmup "alloc-$name" "$X/"
    [ "$CASE_WARMUP" -gt 0 ] && run_wrk "alloc-$name-warmup" "$X/" 64 "$CASE_WARMUP" >/dev/null
    "${LOADPIN[@]}" jcmd "$J_PID" JFR.start name=bench-alloc settings="$TMP/alloc.jfc" >>"$TMP/jcmd-$name.log" 2>&1 \
      || { cat "$TMP/jcmd-$name.log" >&2; stop_started "$J_PID"; return 1; }
    log "alloc: $name, ${DURATION}s c64 under JFR"
    if run_wrk "alloc-$name" "$X/" 64 "$DURATION"; then
      "${LOADPIN[@]}" jcmd "$J_PID" JFR.stop name=bench-alloc filename="$rec" >>"$TMP/jcmd-$name.log" 2>&1
      [ -s "$rec" ] && ALLOC_ARGS+=("$name=$rec:$W_req")
      log "  $W_req requests, $W_rps req/s under JFR; recording $rec"
    fi
    stop_started "$J_PID"
  }
  gateway_config "$TMP/gateway-alloc.json" "$EXTRA_PORT" "$EXTRA_ADMIN_PORT"
  profile_one portcullis -jar "$JAR" --config "$TMP/gateway-alloc.json"
  if [ $ALLOC_ACCESSLOG = yes ]; then
    gateway_config "$TMP/gateway-alloc-log.json" "$EXTRA_PORT" "$EXTRA_ADMIN_PORT" true
    profile_one portcullis-log -jar "$JAR" --config "$TMP/gateway-alloc-log.json"
  fi
  [ $BARE = yes ] && profile_one bare -cp "$BARE_CP" BareProxy "$EXTRA_PORT" "$D"
  if [ ${#ALLOC_ARGS[@]} -gt 0 ]; then
    ALLOC_REPORT=$("${LOADPIN[@]}" java bench/JfrReport.java --top "$TOP" "${ALLOC_ARGS[@]}" 2>&1) \
      || ALLOC_REPORT="JfrReport failed: $ALLOC_REPORT"
  else
    ALLOC_REPORT="No recording was made (see the log above)."
  fi
fi

FLAG_ROWS=()
if has_case flags; then
  if [ -n "$FLAG_SETS_FILE" ]; then SETS=$(cat "$FLAG_SETS_FILE"); else SETS=$DEFAULT_FLAG_SETS; fi
  gateway_config "$TMP/gateway-flags.json" "$EXTRA_PORT" "$EXTRA_ADMIN_PORT"
  i=0
  while IFS= read -r fset; do
    fset=${fset%%#*}
    read -r -a flags <<<"$fset"
    [ ${#flags[@]} -gt 0 ] || continue
    fset="${flags[*]}"
    i=$((i + 1))
    [ "$fset" = "(none)" ] && flags=()
    args=() cds=no
    for f in "${flags[@]}"; do if [ "$f" = @appcds ]; then cds=yes; else args+=("$f"); fi; done
    if [ $cds = yes ]; then                    # training run, as the Dockerfile's: start, serve, SIGTERM
      jsa="$TMP/app-$i.jsa"
      log "flags [$fset]: AppCDS training run"
      if start_jvm "$TMP/flags-$i-train.log" "$X/" "${args[@]}" -XX:ArchiveClassesAtExit="$jsa" -jar "$JAR" --config "$TMP/gateway-flags.json"; then
        run_wrk "flags-$i-train" "$X/" 8 2 >/dev/null
        curl -s -o /dev/null -m 5 "$X/fail/x"; curl -s -o /dev/null -m 5 "$X/nothing-here-404"
        kill -TERM "$J_PID" 2>/dev/null
        for _ in $(seq 1 600); do [ -d "/proc/$J_PID" ] || break; sleep 0.1; done
        stop_started "$J_PID"
      fi
      if [ ! -s "$jsa" ]; then
        FLAG_ROWS+=("| \`$fset\` | FAILED: the training run wrote no archive (see $TMP/flags-$i-train.log with --keep) | | | | | | |")
        continue
      fi
      args+=("-XX:SharedArchiveFile=$jsa")
    fi
    log "flags [$fset]"
    if ! start_jvm "$TMP/flags-$i.log" "$X/" "${args[@]}" -jar "$JAR" --config "$TMP/gateway-flags.json"; then
      FLAG_ROWS+=("| \`$fset\` | FAILED to start (see $TMP/flags-$i.log with --keep) | | | | | | |")
      continue
    fi
    VIA_PID[flags-$i]=$J_PID VIA_LABEL[flags-$i]="gateway [$fset]"
    ready=$J_READY_MS
    jit_warmup "flags-$i" "$X/"
    pre=$(hwm_kb "$J_PID")                     # start-up and warm-up; measure() resets the counter
    measure "flags" "flags-$i" "$X/" 64 rps
    k="flags c64 flags-$i"
    life=$(awk -v a="${pre:-0}" -v b="${RES[$k,peak]:-0}" 'BEGIN{printf "%.0f", (a / 1024 > b ? a / 1024 : b)}')
    FLAG_ROWS+=("| \`$fset\` | $ready | ${RES[$k,rps]:--} | ${RES[$k,p99]:--} | ${RES[$k,us]:--} | ${RES[$k,peak]:--} | $life | ${RES[$k,other]:--}% |")
    stop_started "$J_PID"
  done <<<"$SETS"
fi

# shellcheck source=bench/cluster-cases.sh
. "$ROOT/bench/cluster-cases.sh"
cluster_cases_run

# ---------------------------------------------------------------- report
{
  echo "## Portcullis load benchmark - $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)"
  echo
  [ $QUICK = yes ] && echo "**--quick:** short runs; the JIT is still compiling, so CPU per request is overstated. A smoke test, not a result." && echo
  echo "wrk $WRK_THREADS thread(s), keep-alive, ${DURATION}s per run; each JVM run follows an unrecorded ${CASE_WARMUP}s run of the same load, and each JVM's first one a ${WARMUP}s JIT warm-up. $PLACEMENT${NI:+ (nice $NICE)}."
  echo "Backend: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $NLOAD worker(s): \`return 200\` JSON, static files with sendfile. Gateway: \`java ${JAVA_OPTS:+$JAVA_OPTS }-jar $JAR\`, one event loop per gateway CPU ($NGW), access log off, first proxied 200 ${READY_MS} ms after launch."
  [ -n "$BARE_READY_MS" ] && echo "Bare Vert.x proxy (bench/BareProxy.java, the stack's ceiling): \`java ${JAVA_OPTS:+$JAVA_OPTS }-cp $JAR:… BareProxy\`, same JVM flags and CPUs, one event loop per CPU, pool of 512 per event loop, first proxied 200 ${BARE_READY_MS} ms after launch."
  echo "Latency = wrk's closed-loop p50/p99 in ms (whole response). errors = non-2xx / socket errors. vs direct = ÷ direct (req/s; MB/s for stream). CPU = the process's CPU (utime+stime from /proc) during the run, 100% = one core; µs/req = that CPU time per request (stream rows: per MiB transferred). peak RSS = its VmHWM during that run (MiB). other = CPU used during the run by processes this script did not start (% of one core): noise."
  has_case idle && echo "Idle: the gateway's RSS before the ${IDLE_CONNS} connections were opened, and the larger of its RSS 3 s after all were answered and after the load run held beside them (MiB); errors = answered / still open at the end."
  { has_case aggregate || has_case fastfail; } && echo "Aggregate: direct = one of the three backend calls alone; the gateway makes three per request. Fast-fail: upstream on a closed port, breaker opened beforehand (maxFailures 1, resetTimeoutMs 600000): every answer is 503 circuit_open, nothing goes upstream."
  echo
  echo "| case | via | conns | req/s | MB/s | p50 ms | p99 ms | errors | vs direct | CPU | CPU µs/req | peak RSS MiB | other |"
  echo "|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  if [ -n "${RES[proxy c64 bare,rps]:-}" ]; then
    echo "### Portcullis ÷ bare Vert.x proxy (same run, same JVM flags, same CPU)"
    echo
    echo "| ratio | c64 | c8 | target |"
    echo "|---|--:|--:|---|"
    echo "| req/s | **$(ratio "${RES[proxy c64 gateway,rps]:-}" "${RES[proxy c64 bare,rps]:-}")** | **$(ratio "${RES[proxy c8 gateway,rps]:-}" "${RES[proxy c8 bare,rps]:-}")** | ≥ 0.90× at c64, ≥ 0.95× at c8 |"
    echo "| CPU µs/req | **$(ratio "${RES[proxy c64 gateway,us]:-}" "${RES[proxy c64 bare,us]:-}")** | **$(ratio "${RES[proxy c8 gateway,us]:-}" "${RES[proxy c8 bare,us]:-}")** | ≤ 1.15× |"
    echo "| p99 | **$(ratio "${RES[proxy c64 gateway,p99]:-}" "${RES[proxy c64 bare,p99]:-}")** | $(ratio "${RES[proxy c8 gateway,p99]:-}" "${RES[proxy c8 bare,p99]:-}") | ≤ 1.5× at c64 |"
    echo "| peak RSS | $(ratio "${RES[proxy c64 gateway,peak]:-}" "${RES[proxy c64 bare,peak]:-}") | $(ratio "${RES[proxy c8 gateway,peak]:-}" "${RES[proxy c8 bare,peak]:-}") | - |"
    echo
  fi
  if [ ${#CONNS_ROWS[@]} -gt 0 ]; then
    echo "### Many connections: c1024 against c64 (each via measured at c64, then at c1024$( [ "$CONNS_ROUNDS" -gt 1 ] && echo "; $CONNS_ROUNDS pairs each, medians" ))"
    echo
    echo "| via | req/s c64 | req/s c1024 | c1024 ÷ c64 (target ≥ 0.85×) | µs CPU/req c64 | µs CPU/req c1024 | CPU ratio | errors c1024 (non-2xx + socket) | shed (503 overloaded, both runs) | other c64 / c1024 |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${CONNS_ROWS[@]}"
    echo
    if [ ${#CONNS_ROUNDS_ROWS[@]} -gt 0 ]; then
      echo "Each pair's c1024 ÷ c64, in the order run:"
      echo
      echo "| via | req/s | CPU µs/req |"
      echo "|---|---|---|"
      printf '%s\n' "${CONNS_ROUNDS_ROWS[@]}"
      echo
    fi
  fi
  if [ -n "$ACCESS_SUMMARY" ]; then echo "$ACCESS_SUMMARY"; echo; fi
  if [ ${#H2_ROWS[@]} -gt 0 ]; then
    echo "### HTTP/2 clients: gateway vs nginx as an HTTP/2 proxy"
    echo
    echo "h2load 1 thread, $H2_CONNS connections × $H2_STREAMS concurrent streams, $( [ "$H2_SETTLE" -gt 0 ] && echo "the last ${DURATION}s of a $((H2_SETTLE + DURATION))s run (--h2-settle $H2_SETTLE: req/s, latency and CPU from that window only)" || echo "${DURATION}s") after an unrecorded ${CASE_WARMUP}s run (the gateway also after a ${WARMUP}s JIT warm-up over HTTP/2), GET / → the same backend. h2c = cleartext HTTP/2 with prior knowledge (gateway \`server.h2c: true\`; nginx \`listen … http2\`); TLS = HTTP/2 by ALPN over TLS 1.3, P-256 certificate (gateway \`server.tls\`; nginx \`listen … ssl http2\`). nginx: ${NGW} worker(s), upstream keepalive 128, on the gateway's CPUs. Upstream is HTTP/1.1 for both. Latency from h2load's per-request log (ms, whole response)."
    echo
    echo "| protocol | gateway req/s | nginx req/s | gateway ÷ nginx (target ≥ 0.70×) | p99 ms gw / nginx | µs CPU/req gw / nginx | CPU ratio | errors (non-2xx + stream errors) gw / nginx | other gw / nginx |"
    echo "|---|--:|--:|--:|--:|--:|--:|---|--:|"
    printf '%s\n' "${H2_ROWS[@]}"
    echo
  fi
  if [ ${#FLAG_ROWS[@]} -gt 0 ]; then
    echo "### JVM flag sets (gateway alone, one fresh JVM each, pinned to CPU $GW_CPUS${GW_CPUS:+ }as above)"
    echo
    echo "ready = launch to the first proxied 200 (ms); then a ${WARMUP}s JIT warm-up, an unrecorded ${CASE_WARMUP}s run and ${DURATION}s at c64. peak RSS run = VmHWM during the measured run; lifetime = the larger of that and the peak through start-up and warm-up (what a container limit must hold). JAVA_OPTS does not apply here. @appcds = \`-XX:SharedArchiveFile\` of an archive from a training run with the same flags (start, 2 s of load, SIGTERM), as the Dockerfile does."
    echo
    echo "| flags | ready ms | req/s c64 | p99 ms | CPU µs/req | peak RSS run MiB | peak RSS lifetime MiB | other |"
    echo "|---|--:|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${FLAG_ROWS[@]}"
    echo
  fi
  [ -n "$CLUSTER_REPORT" ] && printf '%s' "$CLUSTER_REPORT"
  if [ -n "$ALLOC_REPORT" ]; then
    echo "### Allocation and CPU profile (alloc case: fresh JVMs with JAVA_OPTS, ${DURATION}s at c64 under JFR)"
    echo
    echo "$ALLOC_REPORT"
    echo
  fi
  if [ "$MAX_OTHER" -gt 10 ]; then
    echo "**Noisy machine:** other processes used up to ${MAX_OTHER}% of a core during a run; rows with 'other' above ~10% are unreliable (re-run on a quiet machine, or with --nice -10)."
    echo
  fi
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit + uncommitted changes"
  gwcommit=$(git -C "$ROOT" log -1 --format=%h -- src/main pom.xml 2>/dev/null || echo unknown)
  [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- src/main pom.xml 2>/dev/null)" ] && gwcommit="$gwcommit + uncommitted changes"
  echo "Code: commit $commit (gateway sources: $gwcommit, the last commit touching src/main or pom.xml); jar built $(date -r "$JAR" '+%Y-%m-%d %H:%M %Z'). $(nproc --all) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), kernel $(uname -r), $(java -version 2>&1 | head -1), $(wrk -v 2>&1 | awk 'NR==1{print $1" "$2}')$(has_case h2 && echo ", $(h2load --version | head -1)"). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | { if [ -n "$OUT" ]; then tee "$OUT"; else cat; fi; }
log "done"
