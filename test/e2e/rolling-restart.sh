#!/usr/bin/env bash
# Rolling restart behind a load balancer, end to end (README "Signals and shutdown": no accepted request fails
# because of a shutdown).
#
#   nginx (fixed 200 + slow /stream) <- gw1, gw2 (target/portcullis.jar) <- HAProxy <- wrk
#
# Case 1: steady keep-alive load through HAProxy (wrk) while each gateway in turn gets SIGTERM,
#         must exit 0, is started again and waits until HAProxy has it UP again. Zero non-2xx
#         responses and zero socket errors allowed, cross-checked with HAProxy's own counters.
# Case 2: a slow 20 MiB download through gw1 is in flight when gw1 gets SIGTERM: it must
#         complete with every byte (curl exit 0, size and content match) and gw1 must exit 0.
#
# With --proxy-protocol the gateways run with "server.proxyProtocol": true and HAProxy runs the
# shipped example deploy/haproxy/haproxy.cfg as it is (TCP mode, send-proxy-v2, check-send-proxy,
# checks on /healthz/ready): case 1 must still lose nothing (HAProxy counts no HTTP statuses in TCP
# mode: wrk's count, and the backend's, are the check), every client address must reach the
# backend (X-Forwarded-For, logged by nginx), and case 2 talks to gw1 directly with curl's own
# PROXY header.
#
# Needs java, nginx, haproxy, wrk, curl. Everything listens on 127.0.0.1 (random free ports
# below the ephemeral range); every wait is bounded; everything started is stopped on exit.
# Environment: PORTCULLIS_JAR (default target/portcullis.jar), JAVA_OPTS, LOAD_MIN_SECONDS (30),
# CONNECTIONS (24), KEEP_WORK=1 keeps the temp dir.
set -euo pipefail

PROXY_PROTOCOL=0
case "${1:-}" in
  --proxy-protocol) PROXY_PROTOCOL=1 ;;
  "") ;;
  *) echo "usage: $0 [--proxy-protocol]" >&2; exit 2 ;;
esac

PATH="$PATH:/usr/sbin:/sbin"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="${PORTCULLIS_JAR:-$ROOT/target/portcullis.jar}"
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx256m}"
LOAD_MIN_SECONDS="${LOAD_MIN_SECONDS:-30}"
LOAD_MAX_SECONDS=100          # wrk's own -d: the load is stopped (SIGINT) well before
CONNECTIONS="${CONNECTIONS:-24}"
DRAIN_MS=1500
GRACE_MS=20000
STREAM_BYTES=$((20 * 1024 * 1024))
STREAM_RATE=4m                # nginx limit_rate: about 5 s for the whole body
SCRIPT_BUDGET=175             # seconds; the whole script must stay under 3 minutes
T0=$SECONDS

log() { printf '[%3ds]%s %s\n' "$((SECONDS - T0))" "$([ "$PROXY_PROTOCOL" = 1 ] && echo ' [proxy-protocol]')" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
now_ms() { date +%s%3N; }
check_budget() {
  [ $((SECONDS - T0)) -lt "$SCRIPT_BUDGET" ] || die "script time budget (${SCRIPT_BUDGET}s) exhausted while $1"
}

for tool in java nginx haproxy wrk curl date; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (CI installs it in .ci/run)"
done
[ -f "$JAR" ] || die "$JAR not found: build it with mvn -q -DskipTests package"

WORK="$(mktemp -d /tmp/portcullis-e2e.XXXXXX)"
chmod 755 "$WORK"             # nginx workers (nobody when run as root) read the stream file

declare -A GW_PID=() GW_PORT=() GW_ADMIN=()
# curl options for talking to a gateway directly: with the PROXY protocol on, a connection without
# the header is closed unanswered.
GW_CURL=()
[ "$PROXY_PROTOCOL" = 1 ] && GW_CURL=(--haproxy-protocol)
NGINX_PID="" HAPROXY_PID="" WRK_PID="" CURL_PID=""

stop_pids() {
  local pid alive i
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 60); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

cleanup() {
  local rc=$? pids=() p
  trap - EXIT INT TERM
  for p in "$CURL_PID" "$WRK_PID" "${GW_PID[@]}" "$HAPROXY_PID" "$NGINX_PID"; do
    [ -n "$p" ] && pids+=("$p")
  done
  [ "${#pids[@]}" -gt 0 ] && stop_pids "${pids[@]}"
  if [ "$rc" -ne 0 ]; then
    for f in "$WORK"/gw1.log "$WORK"/gw2.log "$WORK"/haproxy.log "$WORK"/wrk.out "$WORK"/nginx/error.log "$WORK"/stream.err; do
      [ -s "$f" ] || continue
      echo "----- $f (last 40 lines$([ "${f##*/}" = haproxy.log ] && echo ', health checks left out'))" >&2
      if [ "${f##*/}" = haproxy.log ]; then
        grep -v 'Health check' "$f" | tail -n 40 >&2 || true
      else
        tail -n 40 "$f" >&2
      fi
    done
    echo "rolling-restart: FAILED (work dir kept: $WORK)" >&2
  elif [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "work dir kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- ports -------------------------------------------------------------------------------------
TAKEN=" "
alloc_port() {            # alloc_port VAR: a port nothing listens on, below the ephemeral range
  local candidate _
  for _ in $(seq 1 300); do
    candidate=$((21000 + RANDOM % 11000))
    case "$TAKEN" in *" $candidate "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      TAKEN+="$candidate "
      printf -v "$1" '%s' "$candidate"
      return 0
    fi
  done
  die "no free port found"
}
alloc_port BACKEND_PORT
alloc_port LB_PORT
alloc_port STATS_PORT
for i in 1 2; do
  alloc_port port; GW_PORT[$i]=$port
  alloc_port port; GW_ADMIN[$i]=$port
done

# --- backend: nginx --------------------------------------------------------------------------
mkdir -p "$WORK/nginx/tmp"
head -c "$STREAM_BYTES" /dev/urandom >"$WORK/nginx/stream.bin"
chmod 644 "$WORK/nginx/stream.bin"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    log_format xff '\$http_x_forwarded_for';
    $([ "$PROXY_PROTOCOL" = 1 ] && echo "access_log $WORK/nginx/xff.log xff;" || echo "access_log off;")
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$BACKEND_PORT backlog=4096;
        default_type application/json;
        location / { return 200 '{"ok":true}'; }
        location = /stream {
            default_type application/octet-stream;
            alias $WORK/nginx/stream.bin;
            limit_rate $STREAM_RATE;
        }
    }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

wait_http() {             # wait_http URL EXPECTED_CODE SECONDS [PID that must stay alive] [curl options...]
  local url=$1 want=$2 limit=$(( SECONDS + $3 )) pid=${4:-} code
  shift "$(( $# < 4 ? $# : 4 ))"
  while [ "$SECONDS" -lt "$limit" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true)
    [ "$code" = "$want" ] && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      die "process $pid exited while waiting for $url"
    fi
    check_budget "waiting for $url"
    sleep 0.1
  done
  die "$url did not answer $want within $3 s (last: ${code:-none})"
}
wait_http "http://127.0.0.1:$BACKEND_PORT/" 200 15 "$NGINX_PID"
# Only requests through the gateways count from here (nginx appends to its log: truncating is safe).
[ "$PROXY_PROTOCOL" = 1 ] && : >"$WORK/nginx/xff.log"
log "backend nginx on 127.0.0.1:$BACKEND_PORT (pid $NGINX_PID)"

# --- gateways ----------------------------------------------------------------------------------
for i in 1 2; do
  cat >"$WORK/gw$i.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": ${GW_PORT[$i]}, "instances": 2,
              "proxyProtocol": $([ "$PROXY_PROTOCOL" = 1 ] && echo true || echo false) },
  "admin": { "host": "127.0.0.1", "port": ${GW_ADMIN[$i]} },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": $DRAIN_MS, "graceMs": $GRACE_MS },
  "upstreams": {
    "backend": { "endpoints": ["http://127.0.0.1:$BACKEND_PORT"] }
  },
  "routes": [
    { "name": "all", "match": { "pathPrefix": "/" }, "upstream": "backend", "timeoutMs": 30000 }
  ]
}
EOF
done

start_gateway() {         # start_gateway I
  local i=$1
  echo "===== start $(date '+%H:%M:%S.%3N')" >>"$WORK/gw$i.log"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" --config "$WORK/gw$i.json" >>"$WORK/gw$i.log" 2>&1 &
  GW_PID[$i]=$!
}

wait_exit() {             # wait_exit PID SECONDS -> sets EXIT_RC; polls HAProxy for gw$3 DOWN
  local pid=$1 limit=$(( SECONDS + $2 )) name=${3:-} t_kill=${4:-0} st
  DOWN_AFTER_MS=""
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$limit" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      die "pid $pid did not exit within $2 s of SIGTERM"
    fi
    check_budget "waiting for pid $pid to exit"
    if [ -n "$name" ] && [ -z "$DOWN_AFTER_MS" ]; then
      st=$(lb_status "$name")
      case "$st" in DOWN*|NOLB*|MAINT*) DOWN_AFTER_MS=$(( $(now_ms) - t_kill )) ;; esac
    fi
    sleep 0.05
  done
  if wait "$pid"; then EXIT_RC=0; else EXIT_RC=$?; fi
}

# --- HAProxy -----------------------------------------------------------------------------------
FE=fe
if [ "$PROXY_PROTOCOL" = 1 ]; then
  # The shipped example, unchanged: addresses from the environment.
  FE=portcullis
  export PORTCULLIS_LB="127.0.0.1:$LB_PORT" PORTCULLIS_STATS="127.0.0.1:$STATS_PORT"
  export PORTCULLIS_GW1="127.0.0.1:${GW_PORT[1]}" PORTCULLIS_GW2="127.0.0.1:${GW_PORT[2]}"
  cp "$ROOT/deploy/haproxy/haproxy.cfg" "$WORK/haproxy.cfg"
else
cat >"$WORK/haproxy.cfg" <<EOF
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    # wrk test-connects once before its load and closes without a request: not a request.
    option dontlognull
    option http-ignore-probes
    option log-health-checks
    option http-keep-alive
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 2s
    retries 3
    retry-on conn-failure
    option redispatch 1

frontend fe
    bind 127.0.0.1:$LB_PORT
    default_backend gateways

backend gateways
    balance roundrobin
    http-reuse safe
    option httpchk GET /healthz/ready
    http-check expect status 200
    default-server inter 100 fall 1 rise 2
    # Case 2 pins its download to gw1.
    use-server gw1 if { req.hdr(x-e2e-pin) -m str gw1 }
    server gw1 127.0.0.1:${GW_PORT[1]} check
    server gw2 127.0.0.1:${GW_PORT[2]} check

listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /stats
EOF
fi
haproxy -c -q -f "$WORK/haproxy.cfg" >/dev/null 2>&1 || { haproxy -c -f "$WORK/haproxy.cfg" >&2 || true; die "invalid haproxy config"; }

STATS_CSV="$WORK/stats.csv"
fetch_stats() { curl -s --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" >"$STATS_CSV" 2>/dev/null || : >"$STATS_CSV"; }
stat_field() {            # stat_field PROXY SERVER COLUMN_NAME (from the last fetch_stats)
  awk -F, -v px="$1" -v sv="$2" -v col="$3" '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) idx[$i] = i; next }
    $1 == px && $2 == sv { v = $(idx[col]); print (v == "" ? 0 : v); exit }' "$STATS_CSV"   # empty (a TCP frontend's HTTP counters): 0
}
lb_status() { fetch_stats; stat_field gateways "$1" status; }
wait_lb_up() {            # wait_lb_up gwN SECONDS
  local limit=$(( SECONDS + $2 )) st=""
  while [ "$SECONDS" -lt "$limit" ]; do
    st=$(lb_status "$1")
    [ "$st" = UP ] && return 0
    check_budget "waiting for HAProxy to mark $1 UP"
    sleep 0.1
  done
  die "HAProxy did not mark $1 UP within $2 s (status: ${st:-unknown})"
}

for i in 1 2; do start_gateway "$i"; done
for i in 1 2; do
  wait_http "http://127.0.0.1:${GW_PORT[$i]}/healthz/ready" 200 60 "${GW_PID[$i]}" "${GW_CURL[@]}"
  log "gw$i ready on 127.0.0.1:${GW_PORT[$i]} (admin ${GW_ADMIN[$i]}, pid ${GW_PID[$i]})"
done
wait_http "http://127.0.0.1:${GW_PORT[1]}/" 200 10 "" "${GW_CURL[@]}"

haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
wait_http "http://127.0.0.1:$STATS_PORT/stats" 200 15 "$HAPROXY_PID"
wait_lb_up gw1 20
wait_lb_up gw2 20
wait_http "http://127.0.0.1:$LB_PORT/" 200 10
log "HAProxy on 127.0.0.1:$LB_PORT, both gateways UP"

# --- case 1: rolling restart under keep-alive load ----------------------------------------------
fetch_stats
FE_REQ_BEFORE=$(stat_field "$FE" FRONTEND req_tot)
FE_2XX_BEFORE=$(stat_field "$FE" FRONTEND hrsp_2xx)

cat >"$WORK/count.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
end
EOF
wrk -t2 -c"$CONNECTIONS" -d"${LOAD_MAX_SECONDS}s" --timeout 10s -s "$WORK/count.lua" \
  "http://127.0.0.1:$LB_PORT/" >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
LOAD_START=$SECONDS
log "load: wrk -t2 -c$CONNECTIONS through HAProxy (pid $WRK_PID)"
sleep 4

RESTARTS=()
MAX_DOWN_MS=0
restart_gateway() {       # restart_gateway I
  local i=$1 pid=${GW_PID[$1]} t_kill t_exit t_ready t_up
  kill -0 "$WRK_PID" 2>/dev/null || die "wrk ended before gw$i was restarted"
  t_kill=$(now_ms)
  kill -TERM "$pid"
  wait_exit "$pid" 40 "gw$i" "$t_kill"
  t_exit=$(now_ms)
  [ "$EXIT_RC" -eq 0 ] || die "gw$i (pid $pid) exited with status $EXIT_RC after SIGTERM"
  [ -n "$DOWN_AFTER_MS" ] || die "HAProxy never saw gw$i DOWN between SIGTERM and its exit"
  [ "$DOWN_AFTER_MS" -le "$MAX_DOWN_MS" ] || MAX_DOWN_MS=$DOWN_AFTER_MS
  start_gateway "$i"
  wait_http "http://127.0.0.1:${GW_PORT[$i]}/healthz/ready" 200 60 "${GW_PID[$i]}" "${GW_CURL[@]}"
  t_ready=$(now_ms)
  wait_lb_up "gw$i" 30
  t_up=$(now_ms)
  RESTARTS+=("gw$i: LB DOWN after $DOWN_AFTER_MS ms, exit 0 after $((t_exit - t_kill)) ms, ready again after $((t_ready - t_exit)) ms, LB UP after $((t_up - t_exit)) ms")
  log "${RESTARTS[-1]}"
  check_budget "restarting gw$i"
}
restart_gateway 1
sleep 2
restart_gateway 2

# Keep the load on a little after the last restart, for at least LOAD_MIN_SECONDS in all.
sleep 3
while [ $((SECONDS - LOAD_START)) -lt "$LOAD_MIN_SECONDS" ]; do check_budget "under load"; sleep 0.5; done
kill -0 "$WRK_PID" 2>/dev/null || die "wrk ended before the restarts were over (raise LOAD_MAX_SECONDS)"
kill -INT "$WRK_PID"
limit=$((SECONDS + 20))
while kill -0 "$WRK_PID" 2>/dev/null && [ "$SECONDS" -lt "$limit" ]; do sleep 0.2; done
kill -0 "$WRK_PID" 2>/dev/null && die "wrk did not stop within 20 s of SIGINT"
if wait "$WRK_PID"; then WRK_RC=0; else WRK_RC=$?; fi
WRK_PID=""
LOAD_SECONDS=$((SECONDS - LOAD_START))
[ "$WRK_RC" -eq 0 ] || die "wrk exited with status $WRK_RC"

line=$(grep '^WRK ' "$WORK/wrk.out" || true)
[ -n "$line" ] || die "no summary from wrk"
kv() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line "; }
REQUESTS=$(kv requests)
WRK_FAILED=$(( $(kv connect) + $(kv read) + $(kv write) + $(kv timeout) + $(kv status) ))
if grep -qE 'Non-2xx|Socket errors' "$WORK/wrk.out"; then
  grep -E 'Non-2xx|Socket errors' "$WORK/wrk.out" >&2
  WRK_FAILED=$(( WRK_FAILED > 0 ? WRK_FAILED : 1 ))
fi

fetch_stats
FE_REQ=$(( $(stat_field "$FE" FRONTEND req_tot) - FE_REQ_BEFORE ))
FE_2XX=$(( $(stat_field "$FE" FRONTEND hrsp_2xx) - FE_2XX_BEFORE ))
LB_FAILED=$(( FE_REQ - FE_2XX ))
RETRIES=$(stat_field gateways BACKEND wretr)
REDISP=$(stat_field gateways BACKEND wredis)
ECON=$(stat_field gateways BACKEND econ)
ERESP=$(stat_field gateways BACKEND eresp)
log "wrk: $REQUESTS responses in ${LOAD_SECONDS}s, errors: $line"
if [ "$PROXY_PROTOCOL" = 1 ]; then
  log "HAProxy (TCP mode): backend retries=$RETRIES redispatches=$REDISP econ=$ECON eresp=$ERESP"
else
  log "HAProxy frontend: $FE_REQ requests, $FE_2XX 2xx; backend retries=$RETRIES redispatches=$REDISP econ=$ECON eresp=$ERESP"
fi
if [ "$WRK_FAILED" -ne 0 ] || [ "$LB_FAILED" -ne 0 ]; then
  grep -v 'Health check\|is UP\|is DOWN' "$WORK/haproxy.log" | tail -n 20 >&2 || true
  hint=""
  [ "$MAX_DOWN_MS" -lt "$DRAIN_MS" ] \
    || hint=" (HAProxy took $MAX_DOWN_MS ms to mark a gateway DOWN, longer than the ${DRAIN_MS} ms drain: an overloaded machine, not necessarily the gateway)"
  die "requests failed during the rolling restart: wrk $WRK_FAILED, HAProxy $LB_FAILED non-2xx$hint"
fi
[ "$REQUESTS" -gt 0 ] || die "wrk completed no request"
if [ "$PROXY_PROTOCOL" = 1 ]; then
  # Every request reached the backend with one X-Forwarded-For entry, the client's address from
  # the PROXY header (wrk's: 127.0.0.1, as everything here; the Java integration tests tell the
  # header's source from the balancer's own address).
  XFF_LINES=$(wc -l <"$WORK/nginx/xff.log")
  XFF_OTHER=$(grep -cv '^127\.0\.0\.1$' "$WORK/nginx/xff.log" || true)
  [ "$XFF_LINES" -ge "$REQUESTS" ] || die "the backend logged $XFF_LINES requests, fewer than wrk's $REQUESTS answers"
  [ "$XFF_OTHER" -eq 0 ] || die "$XFF_OTHER request(s) reached the backend without the client's address alone: $(grep -v '^127\.0\.0\.1$' "$WORK/nginx/xff.log" | sort | uniq -c | head -5)"
  log "backend: $XFF_LINES requests, each with X-Forwarded-For 127.0.0.1 from the PROXY header"
fi

# --- case 2: a streaming response in flight across SIGTERM -------------------------------------
T_STREAM=$(now_ms)
if [ "$PROXY_PROTOCOL" = 1 ]; then
  # The shipped HAProxy example has no pinning rule: straight to gw1, with curl's PROXY header.
  STREAM_URL="http://127.0.0.1:${GW_PORT[1]}/stream"
else
  STREAM_URL="http://127.0.0.1:$LB_PORT/stream"
fi
curl -sS -H 'X-E2E-Pin: gw1' "${GW_CURL[@]}" --max-time 90 -o "$WORK/stream.out" -w '%{http_code} %{size_download}' \
  "$STREAM_URL" >"$WORK/stream.meta" 2>"$WORK/stream.err" &
CURL_PID=$!
limit=$((SECONDS + 20))
while :; do
  size=$(stat -c %s "$WORK/stream.out" 2>/dev/null || echo 0)
  [ "$size" -ge $((1024 * 1024)) ] && break
  kill -0 "$CURL_PID" 2>/dev/null || die "the streaming download ended early ($size bytes): $(cat "$WORK/stream.err")"
  [ "$SECONDS" -lt "$limit" ] || die "the streaming download did not start within 20 s"
  sleep 0.05
done
GW1_PID=${GW_PID[1]}
t_kill=$(now_ms)
kill -TERM "$GW1_PID"
log "stream: gw1 (pid $GW1_PID) got SIGTERM with $size of $STREAM_BYTES bytes sent"
limit=$((SECONDS + 90))
while kill -0 "$CURL_PID" 2>/dev/null && [ "$SECONDS" -lt "$limit" ]; do check_budget "streaming"; sleep 0.1; done
kill -0 "$CURL_PID" 2>/dev/null && die "the streaming download did not finish within 90 s"
if wait "$CURL_PID"; then CURL_RC=0; else CURL_RC=$?; fi
CURL_PID=""
t_done=$(now_ms)
wait_exit "$GW1_PID" 40
[ "$EXIT_RC" -eq 0 ] || die "gw1 exited with status $EXIT_RC after SIGTERM during the stream"
read -r STREAM_CODE STREAM_SIZE <"$WORK/stream.meta" || true
[ "$CURL_RC" -eq 0 ] || die "streaming download failed: curl exit $CURL_RC ($(cat "$WORK/stream.err")), $STREAM_SIZE bytes"
[ "$STREAM_CODE" = 200 ] || die "streaming download answered $STREAM_CODE"
[ "$STREAM_SIZE" -eq "$STREAM_BYTES" ] || die "streaming download got $STREAM_SIZE of $STREAM_BYTES bytes"
cmp -s "$WORK/stream.out" "$WORK/nginx/stream.bin" || die "streaming download content differs from the backend file"
# gw1's log since its last start: the download must have outlived the drain (phase 4 began
# with it in flight, once gw1 stopped accepting) and finished within the grace period.
last_run=$(awk '/^===== start/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$WORK/gw1.log")
phase4=$(grep -o 'waiting up to graceMs = [0-9]* ms for [0-9]* in-flight' <<<"$last_run" || true)
in_flight=$(sed -n 's/.* for \([0-9]*\) in-flight/\1/p' <<<"$phase4")
[ "${in_flight:-0}" -ge 1 ] || die "the download was not in flight when gw1 stopped accepting (phase 4: '${phase4:-missing}')"
grep -q 'shutdown phase 4/5: every in-flight request finished' <<<"$last_run" \
  || die "gw1 did not log that every in-flight request finished"
STREAM_SUMMARY="stream: 200, $STREAM_SIZE/$STREAM_BYTES bytes intact in $((t_done - T_STREAM)) ms; SIGTERM $((t_kill - T_STREAM)) ms in, still in flight after the ${DRAIN_MS} ms drain ($in_flight in flight at phase 4), gw1 exit 0"
log "$STREAM_SUMMARY"

errors=$(cat "$WORK/gw1.log" "$WORK/gw2.log" | grep -c ' ERROR ' || true)
for r in "${RESTARTS[@]}"; do echo "  $r"; done
echo "  gateway logs: $errors ERROR line(s)"
echo "  $STREAM_SUMMARY"
if [ "$PROXY_PROTOCOL" = 1 ]; then
  echo "  haproxy (TCP mode): retries $RETRIES, redispatches $REDISP; backend saw $XFF_LINES requests; ${LOAD_SECONDS}s of load, $CONNECTIONS connections"
else
  echo "  haproxy: $FE_REQ requests, $FE_2XX 2xx, retries $RETRIES, redispatches $REDISP; ${LOAD_SECONDS}s of load, $CONNECTIONS connections"
fi
echo "rolling-restart$([ "$PROXY_PROTOCOL" = 1 ] && echo ' (PROXY protocol)'): $REQUESTS requests, 0 failed"
