#!/usr/bin/env bash
# Routing overhead and the shadow's effect on the primary, over HTTP: one Kiln, the same 7-feature GBT
# registered as two versions, V2 single-row requests under wrk (2 threads, 16 connections), one scenario
# after another on the same server:
#   single      one primary (the baseline; run first and again last, to show the warm-up's share)
#   ab-random   A/B 50/50 by versions, no routing key (weighted draw)
#   ab-sticky   A/B 50/50 with a Kiln-Routing-Key header per request (rendezvous hashing)
#   shadow-20   one primary + a shadow mirrored 20 % of requests
#   shadow-100  one primary + a shadow mirrored every request
# Prediction logging stays on (the default) in every scenario. See bench/README.md.
#   DURATION=10s bash bench/http/rollouts.sh
set -euo pipefail
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=$(cd "$ROOT/../shared" && pwd)
cd "$ROOT"
PY=/usr/bin/python3
DURATION=${DURATION:-10s}
PORT=${PORT:-5081}
URL=http://127.0.0.1:$PORT
TMP=$(mktemp -d -t kiln-rollouts.XXXXXX)
PGID=""
cleanup() { [[ -n $PGID ]] && kill -TERM -- "-$PGID" 2>/dev/null; sleep 1; rm -rf "$TMP"; }
trap cleanup EXIT
for tool in wrk curl setsid "$PY"; do command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }; done

echo "== model and bodies in $TMP" >&2
bash bench/http/bench-model.sh "$TMP" 20000

echo "== Kiln on :$PORT" >&2
setsid env DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 \
    dotnet run -c Release --project src/Kiln.Cli -- serve --urls "$URL" --data-dir "$TMP/kiln-data" --no-auth >"$TMP/kiln.log" 2>&1 </dev/null &
PGID=$!
until curl -s -o /dev/null "$URL/health/live"; do sleep 0.5; done
for _ in 1 2; do
    curl -sf -F "file=@$TMP/gbt7.onnx" -F "featureNames=age,balance,day,duration,campaign,pdays,previous" "$URL/api/models/gbt/versions" >/dev/null
done
put() { curl -sf -X "$1" -H 'content-type: application/json' -d "$3" "$URL$2" >/dev/null; }
put PUT /api/deployments/gbt '{"model":"gbt/1"}'

# A Lua script gives every request its own routing key, as distinct users would.
cat >"$TMP/sticky.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, { ["Kiln-Routing-Key"] = "user-" .. (n % 100000) })
end
LUA

run() {
    local name=$1; shift
    wrk -t2 -c16 -d3s "$@" >/dev/null 2>&1 || true   # warm-up
    local out; out=$(wrk -t2 -c16 -d"$DURATION" --latency "$@")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99"
}
body=(-s "$TMP/post.lua")
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = io.open("%s"):read("*a")\n' "$TMP/v2_1.json" >"$TMP/post.lua"
cat "$TMP/post.lua" "$TMP/sticky.lua" >"$TMP/post_sticky.lua"

echo "# $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c16 -d$DURATION, V2 single row"
echo "| scenario | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
run single "${body[@]}" "$URL/v2/models/gbt/infer"     # also finishes the JIT's tiering; compare with single-again
put PUT /api/deployments/gbt/traffic '{"weights":{"1":50,"2":50}}'
run ab-random "${body[@]}" "$URL/v2/models/gbt/infer"
run ab-sticky -s "$TMP/post_sticky.lua" "$URL/v2/models/gbt/infer"
put PUT /api/deployments/gbt/traffic '{"weights":{"1":100}}'
put PUT /api/deployments/gbt/shadow '{"model":"gbt/2","sample":0.2}'
run shadow-20 "${body[@]}" "$URL/v2/models/gbt/infer"
put PUT /api/deployments/gbt/shadow '{"model":"gbt/2","sample":1.0}'
run shadow-100 "${body[@]}" "$URL/v2/models/gbt/infer"
curl -sf -X DELETE "$URL/api/deployments/gbt/shadow" >/dev/null
run single-again "${body[@]}" "$URL/v2/models/gbt/infer"
echo
echo "shadow outcomes: $(curl -s "$URL/metrics" | grep '^kiln_shadow_requests_total' | tr '\n' ' ')"
echo "shadow agreement: $(curl -s "$URL/api/deployments/gbt/shadow?since=5m")"
