#!/usr/bin/env bash
# Soak: mixed traffic through one gateway at about 70% of its measured saturation, sampling its
# resources every 10 s, to show that nothing leaks. A bench script, not a CI test.
#
#   bench/soak.sh [--duration SECONDS] [--conns N] [--load-fraction F] [--keep]
#   bench/soak.sh --analyze SAMPLES.tsv [--duration SECONDS]    (re-judge a kept run)
# Default 600 s (plus about 40 s of set-up and calibration). Needs java, jcmd, nginx, wrk, curl,
# python3 and ss; run as root (ss -p must see the gateway's sockets). Everything listens on
# 127.0.0.1, every loop is bounded, everything started is stopped on exit.
#
# Traffic, through one gateway (target/portcullis.jar, or $PORTCULLIS_JAR):
#   wrk (Lua mix, one request in 40):  18 proxy /api/items, 4 of them more with a deadline header;
#     8 aggregate /api/profile/:id (users + orders); 8 /api/flaky (an upstream of two nginx
#     endpoints failing 10% of requests with 503, so retries and breakers work; 2 with a
#     deadline header); 1 slow with a 50 ms deadline against a 150 ms upstream (504, upstream
#     reset); 1 slow within its deadline.
#   disconnects: a paced Python client sends requests for /api/slow (300 ms upstream) and closes
#     each connection after 50 ms, at 5% of all requests, so the gateway cancels the upstream
#     requests of clients that went away.
# Load: wrk's saturation is measured for 10 s (after a 5 s JIT warm-up); the soak then runs
# --conns connections with a per-request delay (wrk's delay() hook, calibrated in a 6 s trial)
# so that the rate lands near --load-fraction (0.7) of saturation.
#
# Every 10 s: RSS (VmRSS), heap after a full GC (jcmd GC.run then GC.heap_info, one attach), open
# fds (/proc/PID/fd), established upstream connections (ss -tnp to the backend ports, the
# gateway's pid only), threads, and the request rate from the gateway's own metrics.
#
# Verdict. For each of RSS, heap after GC, fds and upstream connections:
#   baseline = mean of the samples in [W, W+B): W = 120 s (the first 2 minutes are warm-up:
#              pools fill, the JIT settles, connections pooled during calibration expire after
#              60 s idle), B = 60 s (minutes 2-3);
#   tail     = mean of the last 8 samples;
#   growth   = (tail - baseline) / baseline; PASS when growth <= +5% for every metric.
# Means, not single samples: heap after GC and the connection counts move by +-10% from one
# sample to the next with what is in flight at that instant, so "max of the tail" would fail on
# noise alone (it is printed, with the least-squares slope after W, to show there is no trend).
# Runs shorter than 300 s scale W and B down (W = duration/3, B = duration/6) and use the last
# quarter of the samples (at least 2) as the tail: the verdict is then only indicative.
# bench/soak.sh --analyze SAMPLES.tsv --duration N judges a kept run's samples again.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="${PORTCULLIS_JAR:-$ROOT/target/portcullis.jar}"
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m}"
DURATION=600
CONNS=32
FRACTION=0.7
KEEP=0
ANALYZE=""
SAMPLE_EVERY=10

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=${2:?}; shift 2 ;;
    --duration=*) DURATION=${1#*=}; shift ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --load-fraction) FRACTION=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --analyze) ANALYZE=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 30 ] || { echo "soak: --duration must be an integer >= 30" >&2; exit 2; }

verdict() {               # verdict SAMPLES.tsv DURATION: prints the judgement, fails on growth
  awk -F'\t' -v dur="$2" '
    NR == 1 { for (i = 2; i <= 5; i++) name[i] = $i; next }
    { n++; t[n] = $1; for (i = 2; i <= 5; i++) v[n, i] = $i }
    END {
      if (dur >= 300) { w = 120; b = 60; k = 8 } else { w = int(dur / 3); b = int(dur / 6); if (b < 10) b = 10; k = int(n / 4); if (k < 2) k = 2 }
      if (k > n) k = n
      printf "verdict: baseline = mean of the samples at %d s <= t < %d s; tail = mean of the last %d samples (t >= %d s);\n", w, w + b, k, t[n - k + 1]
      printf "         growth = (tail - baseline) / baseline, limit +5%%; slope = least squares over t >= %d s, per 10 min\n", w
      fail = 0
      for (i = 2; i <= 5; i++) {
        s = 0; c = 0; bmax = -1; tmax = -1; tmean = 0
        for (j = 1; j <= n; j++) if (t[j] >= w && t[j] < w + b) { s += v[j, i]; c++; if (v[j, i] > bmax) bmax = v[j, i] }
        for (j = n - k + 1; j <= n; j++) { if (v[j, i] > tmax) tmax = v[j, i]; tmean += v[j, i] / k }
        if (c == 0) { printf "  %-16s no baseline samples\n", name[i]; fail = 1; continue }
        base = s / c
        sx = 0; sy = 0; sxx = 0; sxy = 0; m = 0
        for (j = 1; j <= n; j++) if (t[j] >= w) { m++; sx += t[j]; sy += v[j, i]; sxx += t[j] * t[j]; sxy += t[j] * v[j, i] }
        slope = (m > 1 && m * sxx - sx * sx != 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) * 600 : 0
        g = base > 0 ? (tmean - base) / base * 100 : 0
        ok = g <= 5
        if (!ok) fail = 1
        printf "  %-16s baseline %7.1f (max %7.1f)  tail %7.1f (max %7.1f)  growth %+6.1f%%  slope %+7.2f/10min  %s\n", name[i], base, bmax, tmean, tmax, g, slope, ok ? "ok" : "GROWS"
      }
      if (dur < 300) print "  (run shorter than 300 s: indicative only)"
      print (fail ? "soak: FAIL" : "soak: PASS")
      exit fail
    }' "$1"
}
if [ -n "$ANALYZE" ]; then
  [ -f "$ANALYZE" ] || { echo "soak: no such file $ANALYZE" >&2; exit 2; }
  verdict "$ANALYZE" "$DURATION"
  exit
fi

T0=$SECONDS
log() { printf '[%4ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
for tool in java jcmd nginx wrk curl python3 ss awk; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ -f "$JAR" ] || die "$JAR not found: build it with mvn -q -DskipTests package"

WORK="$(mktemp -d /tmp/portcullis-soak.XXXXXX)"
chmod 755 "$WORK"
NGINX_PID="" SLOW_PID="" GW_PID="" WRK_PID="" DISC_PID=""

cleanup() {
  local rc=$? pids=() p i alive
  trap - EXIT INT TERM
  for p in "$WRK_PID" "$DISC_PID" "$GW_PID" "$SLOW_PID" "$NGINX_PID"; do [ -n "$p" ] && pids+=("$p"); done
  if [ "${#pids[@]}" -gt 0 ]; then
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for i in $(seq 1 100); do
      alive=0
      for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  fi
  if [ "$rc" -ne 0 ] && [ -s "$WORK/gateway.log" ]; then
    echo "----- gateway log (last 30 lines)" >&2
    tail -n 30 "$WORK/gateway.log" >&2
  fi
  if [ "$KEEP" = 1 ] || [ "$rc" -ne 0 ]; then
    echo "work dir kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
for v in ITEMS_PORT USERS_PORT ORDERS_PORT FLAKY1_PORT FLAKY2_PORT SLOW_PORT GW_PORT ADMIN_PORT; do alloc_port "$v"; done
BACKEND_PORTS=("$ITEMS_PORT" "$USERS_PORT" "$ORDERS_PORT" "$FLAKY1_PORT" "$FLAKY2_PORT" "$SLOW_PORT")
port_name() {
  case "$1" in
    "$ITEMS_PORT") echo items ;; "$USERS_PORT") echo users ;; "$ORDERS_PORT") echo orders ;;
    "$FLAKY1_PORT") echo flaky1 ;; "$FLAKY2_PORT") echo flaky2 ;; "$SLOW_PORT") echo slow ;;
  esac
}

wait_status() {           # wait_status URL EXPECTED_CODE SECONDS PID
  local url=$1 want=$2 limit=$(( SECONDS + $3 )) pid=$4 code=""
  while [ "$SECONDS" -lt "$limit" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null || true)
    [ "$code" = "$want" ] && return 0
    kill -0 "$pid" 2>/dev/null || die "process $pid exited while waiting for $url"
    sleep 0.2
  done
  die "$url did not answer $want within $3 s (last: ${code:-none})"
}

# --- backends --------------------------------------------------------------------------------
mkdir -p "$WORK/nginx/tmp"
. "$ROOT/bench/lib.sh"     # nginx_conf_head (this script keeps its own process tracking)
{ nginx_conf_head "$WORK/nginx" 1 4096; cat <<EOF
    keepalive_requests 10000000;
    keepalive_timeout 75s;
    default_type application/json;
    # One request in ten fails on the flaky endpoints (request_id is random per request).
    split_clients "\${request_id}" \$flaky_fail { 10% 1; * 0; }
    server {
        listen 127.0.0.1:$ITEMS_PORT backlog=4096;
        location / { return 200 '{"ok":true,"items":[1,2,3]}'; }
    }
    server {
        listen 127.0.0.1:$USERS_PORT backlog=4096;
        location / { return 200 '{"id":7,"name":"user"}'; }
    }
    server {
        listen 127.0.0.1:$ORDERS_PORT backlog=4096;
        location / { return 200 '[{"id":1,"total":12.5},{"id":2,"total":3}]'; }
    }
    server {
        listen 127.0.0.1:$FLAKY1_PORT backlog=4096;
        listen 127.0.0.1:$FLAKY2_PORT backlog=4096;
        location / {
            if (\$flaky_fail) { return 503 '{"error":"flaky"}'; }
            return 200 '{"ok":true}';
        }
    }
}
EOF
} >"$WORK/nginx/nginx.conf"
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

# The slow backend: answers after ?ms= milliseconds (a thread per connection, keep-alive).
cat >"$WORK/slow.py" <<'EOF'
import sys, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        time.sleep(int(query.get("ms", ["300"])[0]) / 1000.0)
        body = b'{"slow":true}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def handle(self):
        try:
            super().handle()
        except OSError:
            pass

    def log_message(self, *args):
        pass

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass

Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
python3 "$WORK/slow.py" "$SLOW_PORT" >"$WORK/slow.log" 2>&1 &
SLOW_PID=$!
wait_status "http://127.0.0.1:$ITEMS_PORT/" 200 15 "$NGINX_PID"
wait_status "http://127.0.0.1:$SLOW_PORT/?ms=1" 200 15 "$SLOW_PID"

# --- the gateway -------------------------------------------------------------------------------
cat >"$WORK/gateway.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": $GW_PORT },
  "admin": { "host": "127.0.0.1", "port": $ADMIN_PORT },
  "accessLog": { "enabled": false },
  "shutdown": { "drainMs": 0, "graceMs": 5000 },
  "deadline": { "header": "X-Request-Timeout-Ms", "defaultMs": 5000, "maxMs": 30000 },
  "upstreams": {
    "items":  { "endpoints": ["http://127.0.0.1:$ITEMS_PORT"] },
    "users":  { "endpoints": ["http://127.0.0.1:$USERS_PORT"] },
    "orders": { "endpoints": ["http://127.0.0.1:$ORDERS_PORT"] },
    "flaky":  { "endpoints": ["http://127.0.0.1:$FLAKY1_PORT", "http://127.0.0.1:$FLAKY2_PORT"],
                "circuitBreaker": { "maxFailures": 200, "rollingWindowMs": 1000, "resetTimeoutMs": 1000 },
                "retry": { "maxAttempts": 3, "baseDelayMs": 5, "maxDelayMs": 50 } },
    "slow":   { "endpoints": ["http://127.0.0.1:$SLOW_PORT"], "retry": { "maxAttempts": 1 } }
  },
  "routes": [
    { "name": "items", "match": { "pathPrefix": "/api/items" }, "upstream": "items",
      "stripPrefix": "/api", "timeoutMs": 3000 },
    { "name": "profile", "match": { "path": "/api/profile/:id" }, "timeoutMs": 3000,
      "aggregate": [
        { "upstream": "users",  "path": "/users/:id",          "as": "user" },
        { "upstream": "orders", "path": "/orders/by-user/:id", "as": "orders" } ] },
    { "name": "flaky", "match": { "pathPrefix": "/api/flaky" }, "upstream": "flaky",
      "stripPrefix": "/api", "timeoutMs": 3000 },
    { "name": "slow", "match": { "pathPrefix": "/api/slow" }, "upstream": "slow",
      "stripPrefix": "/api", "timeoutMs": 5000 }
  ]
}
EOF
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --config "$WORK/gateway.json" >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
wait_status "http://127.0.0.1:$GW_PORT/healthz/ready" 200 60 "$GW_PID"
for path in /api/items/1 /api/profile/7 /api/slow/x?ms=5; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$GW_PORT$path" || true)
  [ "$code" = 200 ] || die "GET $path through the gateway answered ${code:-nothing}"
done
log "gateway pid $GW_PID on 127.0.0.1:$GW_PORT (admin $ADMIN_PORT), JAVA_OPTS: $JAVA_OPTS"

# --- traffic -----------------------------------------------------------------------------------
cat >"$WORK/mix.lua" <<'EOF'
-- One request in 40: see bench/soak.sh. DELAY_MS (fractional) paces each connection.
local reqs = {}
local n = 0
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local base = math.floor(delay_ms)
local frac = delay_ms - base

local function add(count, path, headers)
  for _ = 1, count do
    n = n + 1
    reqs[n] = wrk.format("GET", path, headers)
  end
end

init = function(args)
  local tl = { ["X-Request-Timeout-Ms"] = "2000" }
  for i = 1, 14 do add(1, "/api/items/" .. i, nil) end
  for i = 1, 4 do add(1, "/api/items/d" .. i, tl) end
  for i = 1, 8 do add(1, "/api/profile/" .. i, nil) end
  for i = 1, 6 do add(1, "/api/flaky/" .. i, nil) end
  add(2, "/api/flaky/d", { ["X-Request-Timeout-Ms"] = "1000" })
  add(1, "/api/slow/deadline?ms=150", { ["X-Request-Timeout-Ms"] = "50" })
  add(1, "/api/slow/ok?ms=20", { ["X-Request-Timeout-Ms"] = "1000" })
  -- interleave deterministically so that every connection sees the whole mix
  math.randomseed(42)
  for i = n, 2, -1 do
    local j = math.random(i)
    reqs[i], reqs[j] = reqs[j], reqs[i]
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

local idx = 0
request = function()
  idx = idx % n + 1
  return reqs[idx]
end

if delay_ms > 0 then
  delay = function()
    if math.random() < frac then return base + 1 end
    return base
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
EOF
URL="http://127.0.0.1:$GW_PORT"

run_wrk() {               # run_wrk SECONDS CONNS DELAY_MS OUT -> prints requests/s
  DELAY_MS=$3 timeout $(( $1 + 30 )) wrk -t2 -c"$2" -d"$1s" --timeout 5s -s "$WORK/mix.lua" "$URL/" >"$4" 2>&1 \
    || die "wrk failed: $(tail -n 3 "$4")"
  awk '/^WRK / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                 printf "%.0f\n", v["requests"] / (v["duration_us"] / 1e6) }' "$4"
}
run_wrk 5 64 0 "$WORK/warmup.out" >/dev/null
SAT=$(run_wrk 10 64 0 "$WORK/saturation.out")
[ "$SAT" -gt 0 ] || die "saturation measurement gave no requests"
TARGET=$(awk -v s="$SAT" -v f="$FRACTION" 'BEGIN { printf "%.0f", s * f }')
# Each connection: one request, then DELAY_MS. Start from the delay that would give TARGET with
# zero latency, measure, and correct by the latency observed at that load.
D0=$(awk -v c="$CONNS" -v t="$TARGET" 'BEGIN { printf "%.2f", c * 1000 / t }')
R0=$(run_wrk 6 "$CONNS" "$D0" "$WORK/trial.out")
DELAY=$(awk -v c="$CONNS" -v t="$TARGET" -v d0="$D0" -v r0="$R0" \
  'BEGIN { lat = c * 1000 / r0 - d0; if (lat < 0) lat = 0; d = c * 1000 / t - lat; if (d < 0) d = 0; printf "%.2f", d }')
log "saturation $SAT req/s (wrk -t2 -c64, 10 s); target $TARGET req/s (x$FRACTION): trial delay $D0 ms gave $R0 req/s, soak delay $DELAY ms on $CONNS connections"
DISC_RATE=$(awk -v t="$TARGET" 'BEGIN { r = t * 0.05 / 0.95; if (r < 1) r = 1; printf "%.0f", r }')

route_status() {          # route_status: "route status count", portcullis_requests_total summed over methods
  curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" 2>/dev/null | awk '
    index($0, "portcullis_requests_total{") == 1 {
      route = $0; sub(/.*route="/, "", route); sub(/".*/, "", route); if (route == "") route = "-"
      status = $0; sub(/.*status="/, "", status); sub(/".*/, "", status)
      count[route " " status] += $NF }
    END { for (key in count) printf "%s %.0f\n", key, count[key] }'
}

metric_sum() {            # metric_sum PREFIX: sum of a Prometheus counter family (any labels)
  curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" 2>/dev/null \
    | awk -v p="$1{" 'index($0, p) == 1 { s += $NF } END { printf "%.0f\n", s }'
}

# --- soak --------------------------------------------------------------------------------------
printf 'GC.run\nGC.heap_info\n' >"$WORK/jcmd.txt"
route_status >"$WORK/before.txt"
RETRIES_BEFORE=$(metric_sum portcullis_retries_total)
SOAK_START=$SECONDS
SOAK_END=$(( SOAK_START + DURATION ))
# wrk and the disconnect client run 5 s past the last sample, so that no sample sees them wind down.
DELAY_MS=$DELAY wrk -t2 -c"$CONNS" -d"$((DURATION + 5))s" --timeout 5s -s "$WORK/mix.lua" "$URL/" >"$WORK/soak-wrk.out" 2>&1 &
WRK_PID=$!

# Client disconnects: a paced client opens a connection, sends a request for a 300 ms upstream
# and closes the connection 50 ms later, DISC_RATE times a second.
cat >"$WORK/disconnect.py" <<'PYEOF'
import asyncio, sys, time

host, port, rate, duration, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
stats = {"cut": 0, "answered": 0, "error": 0}

async def one(i):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except Exception:
        stats["error"] += 1
        return
    try:
        writer.write(b"GET /api/slow/gone%d?ms=300 HTTP/1.1\r\nHost: soak\r\n\r\n" % i)
        try:
            await asyncio.wait_for(reader.read(1), 0.05)
            stats["answered"] += 1
        except asyncio.TimeoutError:
            stats["cut"] += 1
    finally:
        writer.close()

async def main():
    tasks = set()
    interval = 1.0 / rate
    start = time.monotonic()
    next_at = start
    i = 0
    while time.monotonic() - start < duration:
        i += 1
        task = asyncio.create_task(one(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if tasks:
        await asyncio.wait(tasks, timeout=5)
    with open(out, "w") as f:
        f.write("DISC sent=%d cut=%d answered=%d error=%d\n" % (i, stats["cut"], stats["answered"], stats["error"]))

asyncio.run(main())
PYEOF
python3 "$WORK/disconnect.py" 127.0.0.1 "$GW_PORT" "$DISC_RATE" "$((DURATION + 5))" "$WORK/disconnect.out" 2>"$WORK/disconnect.err" &
DISC_PID=$!
log "soak: ${DURATION}s, wrk -t2 -c$CONNS (delay $DELAY ms) + $DISC_RATE disconnects/s; sampling every ${SAMPLE_EVERY}s"

SAMPLES="$WORK/samples.tsv"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' t_s rss_mb heap_after_gc_mb fds upstream_conns threads req_per_s >"$SAMPLES"
printf '%6s %9s %12s %6s %10s %8s %9s\n' t_s rss_mb heap_gc_mb fds upstr_conn threads req/s
filter="( $(printf 'dport = :%s or ' "${BACKEND_PORTS[@]}" | sed 's/ or $//') )"
prev_total=$(metric_sum portcullis_requests_total)
prev_t=$(date +%s%N)
n=0
while :; do
  n=$((n + 1))
  tick=$(( SOAK_START + n * SAMPLE_EVERY ))
  [ "$tick" -le "$SOAK_END" ] || break
  while [ "$SECONDS" -lt "$tick" ]; do sleep 0.2; done
  kill -0 "$GW_PID" 2>/dev/null || die "the gateway exited during the soak"
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$GW_PID/status")
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$GW_PID/status")
  fds=$(find "/proc/$GW_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  conns=$(ss -Htnp state established "$filter" 2>/dev/null | grep -c "pid=$GW_PID," || true)
  total=$(metric_sum portcullis_requests_total)
  now=$(date +%s%N)
  rate=$(awk -v a="$prev_total" -v b="$total" -v t0="$prev_t" -v t1="$now" 'BEGIN { printf "%.0f", (b - a) / ((t1 - t0) / 1e9) }')
  prev_total=$total prev_t=$now
  # Heap after a full GC: sum of the "used" of every heap space (Serial/Parallel generations, or G1's one heap).
  heap=$(timeout 30 jcmd "$GW_PID" -f "$WORK/jcmd.txt" 2>/dev/null | awk '
    /(generation|garbage-first heap|ZHeap|Shenandoah)/ && / used / {
      for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[,K]/, "", v); s += v } }
    END { printf "%.1f", s / 1024 }')
  t=$(( n * SAMPLE_EVERY ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rss" "$heap" "$fds" "$conns" "$threads" "$rate" >>"$SAMPLES"
  printf '%6s %9s %12s %6s %10s %8s %9s\n' "$t" "$rss" "$heap" "$fds" "$conns" "$threads" "$rate"
done

limit=$((SECONDS + 40))
while kill -0 "$WRK_PID" 2>/dev/null && [ "$SECONDS" -lt "$limit" ]; do sleep 0.5; done
kill -0 "$WRK_PID" 2>/dev/null && die "wrk did not finish"
wait "$WRK_PID" || die "wrk failed: $(tail -n 3 "$WORK/soak-wrk.out")"
WRK_PID=""
limit=$((SECONDS + 20))
while kill -0 "$DISC_PID" 2>/dev/null && [ "$SECONDS" -lt "$limit" ]; do sleep 0.5; done
kill "$DISC_PID" 2>/dev/null || true
wait "$DISC_PID" 2>/dev/null || true
DISC_PID=""
kill -0 "$GW_PID" 2>/dev/null || die "the gateway exited during the soak"

# --- report ------------------------------------------------------------------------------------
echo
awk '/^WRK / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "wrk: %d requests in %.0f s (%.0f req/s), p50 %.1f ms, p99 %.1f ms; socket errors connect %d read %d write %d timeout %d; non-2xx/3xx %d\n",
    v["requests"], v["duration_us"] / 1e6, v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000,
    v["connect"], v["read"], v["write"], v["timeout"], v["status"] }' "$WORK/soak-wrk.out"
echo "saturation $SAT req/s; target $TARGET req/s ($FRACTION); disconnects $DISC_RATE/s: $(cat "$WORK/disconnect.out" 2>/dev/null || echo 'no report')"
echo "gateway requests during the soak, by route and status (from its /metrics; 499 = client went away):"
route_status | awk 'NR == FNR { before[$1 " " $2] = $3; next }
  { d = $3 - before[$1 " " $2]; if (d > 0) printf "  %-8s %s %10d\n", $1, $2, d }' "$WORK/before.txt" - | sort
echo "  retries: $(( $(metric_sum portcullis_retries_total) - RETRIES_BEFORE ))"
errors=$(grep -c ' ERROR ' "$WORK/gateway.log" || true)
echo "gateway log: $errors ERROR line(s)$([ "$errors" -gt 0 ] && printf '; most frequent: %s' "$(grep ' ERROR ' "$WORK/gateway.log" | cut -d' ' -f3- | sort | uniq -c | sort -rn | head -n 3 | awk '{ $1 = $1 "x"; print }' | paste -sd ';' -)")"
echo "upstream connections once the load stopped (pooled, idle), by backend:$(for port in "${BACKEND_PORTS[@]}"; do
  printf ' %s=%s' "$(port_name "$port")" "$(ss -Htnp state established "( dport = :$port )" 2>/dev/null | grep -c "pid=$GW_PID," || true)"; done)"

echo
verdict "$SAMPLES" "$DURATION"
