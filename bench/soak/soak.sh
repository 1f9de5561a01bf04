#!/usr/bin/env bash
# The 10-minute soak behind "no anonymous client can exhaust or crash the server" (issue 14, R3-R6).
#
#   bash bench/soak/soak.sh                 # 10 minutes
#   DURATION=120 bash bench/soak/soak.sh    # a shorter look
#
# kiln serve (Release, auth on, default limits) serves the bench model while, for DURATION seconds:
#   - a real client (wrk -c8, a valid predictor key) sends single-row V2 inference as fast as it can;
#   - a bad-key flood (wrk -c4, a key that does not exist) hammers GET /api/models;
#   - every minute, 1,500 slow connections (headers trickled, never finished) arrive for 20 s: more than
#     the server (run with a 2,048 open-file limit, so a connection limit of about 1,000) accepts.
# Every 10 s it samples the server's resident memory, open descriptors and its /metrics counters into
# samples.csv (during a flood every connection slot is taken, so the samples then are blank: the limit at work). It
# fails if the server dies, if the real client sees any error, or if resident memory at
# the end is more than 25% above the sample at the end of the first two minutes (after warm-up).
# Needs what bench/http needs (see bench/README.md): wrk, curl, Debian's python3-sklearn and python3-onnx.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/http
PY=/usr/bin/python3
DURATION=${DURATION:-600}
PORT=${PORT:-5097}
FEATURES=age,balance,day,duration,campaign,pdays,previous
ADMIN=kiln_soak_admin_key_0123456789abcdef
TMP=$(mktemp -d -t kiln-soak.XXXXXX)
SERVER_PID=
die() { echo "soak.sh: FAILED: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }
cleanup() {
    local rc=$?
    trap - EXIT
    jobs -p | xargs -r kill 2>/dev/null || true
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true
    echo "soak.sh: files in $TMP" >&2
    exit "$rc"
}
trap cleanup EXIT

for tool in wrk curl "$PY"; do command -v "$tool" >/dev/null || die "$tool not found (see bench/README.md set-up)"; done

log "model: training the bench GradientBoostingClassifier and exporting it to ONNX"
bash bench/http/bench-model.sh "$TMP" || die "preparing the model"

log "building kiln (Release)"
dotnet build -c Release src/Kiln.Cli -v q -nologo >/dev/null
KILN=src/Kiln.Cli/bin/Release/net10.0/kiln.dll

log "starting kiln serve on :$PORT (auth on)"
KILN_ADMIN_KEY=$ADMIN prlimit --nofile=2048:2048 -- dotnet "$KILN" serve --urls "http://127.0.0.1:$PORT" --data-dir "$TMP/data" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 120); do curl -sf "$URL/health/live" >/dev/null && break; sleep 0.5; done
curl -sf "$URL/health/live" >/dev/null || die "kiln did not start (see $TMP/server.log)"
AUTH=(-H "Authorization: Bearer $ADMIN")
curl -sf "${AUTH[@]}" -F "file=@$TMP/gbt7.onnx" -F "featureNames=$FEATURES" "$URL/api/models/gbt/versions" >/dev/null || die "register"
curl -sf "${AUTH[@]}" -X PUT -H 'content-type: application/json' -d '{"model":"gbt/1"}' "$URL/api/deployments/gbt" >/dev/null || die "deploy"
PREDICTOR=$(curl -sf "${AUTH[@]}" -H 'content-type: application/json' -d '{"name":"soak","role":"predictor","deployments":["gbt"]}' "$URL/api/keys" \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
until [[ $(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$URL/v2/models/gbt/ready") == 200 ]]; do sleep 0.5; done

sample() {
    local rss fds metrics
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
    fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    metrics=$(curl -s -m 5 "${AUTH[@]}" "$URL/metrics" || true)
    printf '%s,%s,%s,%s,%s,%s\n' "$1" "$rss" "$fds" \
        "$(grep -m1 '^kiln_http_connections_open ' <<<"$metrics" | cut -d' ' -f2)" \
        "$(grep -m1 '^kiln_http_connections_rejected_total ' <<<"$metrics" | cut -d' ' -f2)" \
        "$(grep '^kiln_rate_limited_total' <<<"$metrics" | awk '{s+=$2} END {print s+0}')"
}

log "soaking for ${DURATION}s"
echo "second,rss_kb,open_fds,connections_open,connections_rejected,rate_limited" >"$TMP/samples.csv"
BODY=$TMP/v2_1.json wrk -t1 -c8 -d"${DURATION}s" --latency -s "$HERE/post.lua" -H "Authorization: Bearer $PREDICTOR" \
    "$URL/v2/models/gbt/infer" >"$TMP/client.txt" 2>&1 &
CLIENT=$!
wrk -t1 -c4 -d"${DURATION}s" -H "Authorization: Bearer kiln_not_a_real_key_at_all" "$URL/api/models" >"$TMP/badkeys.txt" 2>&1 &
(
    while true; do
        sleep 40
        "$PY" - "$PORT" <<'PY' >>"$TMP/floods.txt" 2>&1 || true
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
port = int(sys.argv[1]); socks = []
for _ in range(1500):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1); s.send(b"GET /v2 HTTP/1.1\r\nHost: kiln\r\n"); socks.append(s)
    except OSError:
        pass
print(time.strftime("%H:%M:%S"), "flood: opened", len(socks), flush=True)
for _ in range(4):
    time.sleep(5)
    for s in socks:
        try: s.send(b"X-Slow: 1\r\n")
        except OSError: pass
for s in socks: s.close()
PY
    done
) &
FLOODS=$!
START=$(date +%s)
while kill -0 "$CLIENT" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died (see $TMP/server.log)"
    sample "$(( $(date +%s) - START ))" >>"$TMP/samples.csv"
    sleep 10
done
kill "$FLOODS" 2>/dev/null || true
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died (see $TMP/server.log)"
# A flood still running holds every connection slot until the header timeout cuts it off (15 s): then the server
# must answer again, and the last sample is taken.
for _ in $(seq 60); do curl -sf -m 2 "$URL/health/live" >/dev/null && break; sleep 1; done
curl -sf -m 2 "$URL/health/live" >/dev/null || die "the server does not answer after the soak"
sample "$(( $(date +%s) - START ))" >>"$TMP/samples.csv"

stats=$(grep WRKSTATS "$TMP/client.txt") || die "the client printed no stats: $(cat "$TMP/client.txt")"
requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$stats")
status_errors=$(sed -E 's/.*status_errors=([0-9]+).*/\1/' <<<"$stats")
socket_errors=$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$stats")
p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$stats")
warm=$(awk -F, 'NR > 1 && $1 >= 120 {print $2; exit}' "$TMP/samples.csv")
last=$(tail -1 "$TMP/samples.csv" | cut -d, -f2)
peak=$(awk -F, 'NR > 1 && $2 > m {m = $2} END {print m}' "$TMP/samples.csv")
bad=$(grep -m1 'Requests/sec' "$TMP/badkeys.txt" | awk '{print $2}')
echo
echo "| soak ${DURATION}s | value |"
echo "|---|---|"
echo "| real client: requests, rate, p99 | $requests, $(( requests / DURATION ))/s, $(( p99 / 1000 )).$(( p99 % 1000 / 100 )) ms |"
echo "| real client: HTTP errors, socket errors | $status_errors, $socket_errors |"
echo "| bad-key flood: requests/s answered (401 or 429) | $bad |"
echo "| slow-connection floods | $(grep -c flood "$TMP/floods.txt" 2>/dev/null || echo 0) |"
echo "| resident memory: after warm-up, peak, end | $(( ${warm:-0} / 1024 )) MB, $(( peak / 1024 )) MB, $(( last / 1024 )) MB |"
echo "| connections refused at the limit, requests rate-limited | $(tail -1 "$TMP/samples.csv" | cut -d, -f5,6 | tr , ' ') |"
[[ $status_errors == 0 && $socket_errors == 0 ]] || die "the real client saw $status_errors HTTP and $socket_errors socket errors"
[[ -z $warm || $last -le $(( warm * 125 / 100 )) ]] || die "resident memory grew from $warm kB to $last kB"
log "soak passed"
