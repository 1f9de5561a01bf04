#!/usr/bin/env bash
# A/B/C: single-row V2 inference through Kiln's authentication before and after it moved onto ASP.NET Core's own
# pipeline (issue 14), in one run on one machine:
#   A  BASE (default c80a80b): Kiln's own ApiKeyMiddleware, the last commit before the move;
#   B  this work tree with Kiln:Auth:KeyFastPath=false: every request through ASP.NET Core's authentication and
#      authorization middleware (the ApiKey scheme, policies, the result handler);
#   C  this work tree as shipped: valid keys that may call the endpoint take ApiKeyFastPath.
#
#   bash bench/auth/ab.sh
#   BASE=<rev> ROUNDS=6 DURATION=20 bash bench/auth/ab.sh
#
# The servers run side by side (Release, auth on, default limits), each serving the bench model with a predictor key
# limited to that deployment (the key a real client would hold, so the deployment-scope check runs too). wrk (-t1 -c8,
# as bench/soak) then takes turns on them, ROUNDS rounds of DURATION seconds each, the order rotated every round so
# drift on a shared machine falls on all. Prints every round, the median requests/s of each, and B's and C's
# difference from A. Needs what bench/http needs (see bench/README.md): wrk, curl, python3-sklearn, python3-onnx.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=bench/http
PY=/usr/bin/python3
BASE=${BASE:-c80a80b}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-20}
FEATURES=age,balance,day,duration,campaign,pdays,previous
ADMIN=kiln_ab_admin_key_0123456789abcdef0123
TMP=$(mktemp -d -t kiln-auth-ab.XXXXXX)
PIDS=()
die() { echo "ab.sh: FAILED: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }
cleanup() {
    local rc=$?
    trap - EXIT
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    echo "ab.sh: files in $TMP" >&2
    exit "$rc"
}
trap cleanup EXIT

for tool in wrk curl "$PY"; do command -v "$tool" >/dev/null || die "$tool not found (see bench/README.md set-up)"; done

log "model: training the bench GradientBoostingClassifier and exporting it to ONNX"
bash bench/http/bench-model.sh "$TMP" || die "preparing the model"

log "building A ($BASE) and B (this work tree), Release"
# A's build is kept (a git worktree under /tmp) for the next run with the same BASE.
BASE_DIR=/tmp/kiln-ab-base-$(git rev-parse --short "$BASE")
if [[ ! -f $BASE_DIR/src/Kiln.Cli/bin/Release/net10.0/kiln.dll ]]; then
    git worktree remove --force "$BASE_DIR" 2>/dev/null || rm -rf "$BASE_DIR"
    git worktree add -q --detach "$BASE_DIR" "$BASE"
    dotnet build -c Release "$BASE_DIR/src/Kiln.Cli" -v q -nologo >"$TMP/build-a.log" 2>&1 || die "building $BASE (see $TMP/build-a.log)"
fi
dotnet build -c Release src/Kiln.Cli -v q -nologo >"$TMP/build-b.log" 2>&1 || die "building B (see $TMP/build-b.log)"

declare -A URL KEY
start() { # name, kiln.dll, port, [fast path: true|false]
    local name=$1 dll=$2 port=$3 url=http://127.0.0.1:$3
    KILN_AUTH__KEYFASTPATH=${4:-true} KILN_ADMIN_KEY=$ADMIN dotnet "$dll" serve --urls "$url" --data-dir "$TMP/data-$name" >"$TMP/server-$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 120); do curl -sf "$url/health/live" >/dev/null && break; sleep 0.5; done
    curl -sf "$url/health/live" >/dev/null || die "$name did not start (see $TMP/server-$name.log)"
    local auth=(-H "Authorization: Bearer $ADMIN")
    curl -sf "${auth[@]}" -F "file=@$TMP/gbt7.onnx" -F "featureNames=$FEATURES" "$url/api/models/gbt/versions" >/dev/null || die "$name: register"
    curl -sf "${auth[@]}" -X PUT -H 'content-type: application/json' -d '{"model":"gbt/1"}' "$url/api/deployments/gbt" >/dev/null || die "$name: deploy"
    KEY[$name]=$(curl -sf "${auth[@]}" -H 'content-type: application/json' -d '{"name":"ab","role":"predictor","deployments":["gbt"]}' "$url/api/keys" \
        | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/v2/models/gbt/ready") == 200 ]]; do sleep 0.5; done
    URL[$name]=$url
}
log "starting A on :5111, B on :5112, C on :5113"
start A "$BASE_DIR/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" 5111
start B "src/Kiln.Cli/bin/Release/net10.0/kiln.dll" 5112 false
start C "src/Kiln.Cli/bin/Release/net10.0/kiln.dll" 5113 true

run() { # name, seconds -> "requests/s p99_us errors"
    local out stats
    out=$(BODY=$TMP/v2_1.json wrk -t1 -c8 -d"$2s" --latency -s "$HERE/post.lua" -H "Authorization: Bearer ${KEY[$1]}" "${URL[$1]}/v2/models/gbt/infer")
    stats=$(grep WRKSTATS <<<"$out") || die "wrk printed no stats: $out"
    local requests duration p99 errors
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$stats")
    duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$stats")
    p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$stats")
    errors=$(( $(sed -E 's/.*status_errors=([0-9]+).*/\1/' <<<"$stats") + $(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$stats") ))
    echo "$(( requests * 1000000 / duration )) $p99 $errors"
}

log "warming up (5 s each)"
for name in A B C; do run "$name" 5 >/dev/null; done

pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", (b - a) * 100 / a}'; }
ms() { echo "$(( $1 / 1000 )).$(( $1 % 1000 / 100 )) ms"; }
echo "| round | A ($BASE) req/s | p99 | B (framework) req/s | p99 | C (fast path) req/s | p99 | B vs A | C vs A |"
echo "|---|---|---|---|---|---|---|---|---|"
: >"$TMP/A.txt"; : >"$TMP/B.txt"; : >"$TMP/C.txt"
orders=("A B C" "B C A" "C A B")
for round in $(seq "$ROUNDS"); do
    order=(${orders[$(( (round - 1) % 3 ))]})
    declare -A RPS=() P99=()
    for name in "${order[@]}"; do
        read -r rps p99 errors <<<"$(run "$name" "$DURATION")"
        (( errors == 0 )) || die "round $round: $name saw $errors errors"
        RPS[$name]=$rps; P99[$name]=$p99
        echo "$rps" >>"$TMP/$name.txt"
    done
    echo "| $round (${order[0]} first) | ${RPS[A]} | $(ms "${P99[A]}") | ${RPS[B]} | $(ms "${P99[B]}") | ${RPS[C]} | $(ms "${P99[C]}") | $(pct "${RPS[A]}" "${RPS[B]}") | $(pct "${RPS[A]}" "${RPS[C]}") |"
done
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
a=$(median "$TMP/A.txt"); b=$(median "$TMP/B.txt"); c=$(median "$TMP/C.txt")
echo "| **median** | **$a** | | **$b** | | **$c** | | **$(pct "$a" "$b")** | **$(pct "$a" "$c")** |"
