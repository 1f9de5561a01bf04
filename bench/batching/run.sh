#!/usr/bin/env bash
# Dynamic batching under load, in one run: Kiln (auth on, every request logged) serving the mlnet flavor
# (the demo sweep's best bank model, 15 columns), the onnx flavor (7-feature GradientBoosting), and a dense
# ONNX network whose call dominates a request (mlp_onnx.py: 7 -> 2048 -> 2048 -> 2), each with batching off
# and on, single-row requests at wrk -c16 and -c64. Prints the requests/s, latency, the gain over
# batching off, and the average batch (rows per model call, from kiln_batch_*).
#   bash bench/batching/run.sh
# Env: DURATION (default 10s), WARMUP (3s), TRIALS (mlnet sweep, default 2), POLICIES (default "64:500 64:2000":
# maxBatchRows:maxDelayMicroseconds pairs), CONNECTIONS (default "16 64"), FLAVORS (default "mlnet onnx mlp"),
# MLP_HIDDEN (the dense network's width, default 2048). Prerequisites: wrk, python3-sklearn,
# python3-pandas, python3-onnx (as for bench/http/run.sh).
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
py=/usr/bin/python3
duration=${DURATION:-10s}; warmup=${WARMUP:-3s}; trials=${TRIALS:-2}
policies=${POLICIES:-"64:500 64:2000"}; connections=${CONNECTIONS:-"16 64"}
port=5082
key=kiln_bench_admin_key_0123456789abcdef
tmp=$(mktemp -d /tmp/kiln-batching.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill -- -"$pid" 2>/dev/null || true; }
trap cleanup EXIT

dotnet build -c Release "$root/src/Kiln.Cli" -v q -nologo >/dev/null
kiln() { KILN_API_KEY=$key dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" --server "http://127.0.0.1:$port" "$@"; }

kiln demo data --rows 45211 --seed 0 --output "$tmp/bank.csv" 2>/dev/null
"$py" "$root/bench/http/prepare.py" train "$tmp/bank.csv" "$tmp/gbt7.joblib"
"$py" "$root/tools/onnx/sklearn_gbt_to_onnx.py" "$tmp/gbt7.joblib" "$tmp/gbt7.onnx" >/dev/null

KILN_ADMIN_KEY=$key setsid dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" serve --data-dir "$tmp/kiln-data" \
    --urls "http://127.0.0.1:$port" >"$tmp/kiln.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.2; done

kiln train --data "$tmp/bank.csv" --label y --exclude-columns duration --trials "$trials" --experiment bench --seed 1 \
    --register bank --alias champion >"$tmp/train.log" 2>&1
kiln models register gbt7 "$tmp/gbt7.onnx" --feature-names age,balance,day,duration,campaign,pdays,previous >/dev/null
"$py" "$root/bench/batching/mlp_onnx.py" "$tmp/mlp.onnx" --hidden "${MLP_HIDDEN:-2048}"
kiln models register mlp "$tmp/mlp.onnx" >/dev/null
"$py" - "$tmp" <<'PY'
import json, sys, pandas as pd
tmp = sys.argv[1]
row = pd.read_csv(f"{tmp}/bank.csv").iloc[0].to_dict()
mlnet = {k: (v if isinstance(v, str) else int(v)) for k, v in row.items() if k not in ("y", "duration")}
json.dump({"instances": [mlnet]}, open(f"{tmp}/mlnet_1.json", "w"))
seven = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]
json.dump({"inputs": [{"name": "float_input", "shape": [1, 7], "datatype": "FP32", "data": [float(row[k]) for k in seven]}]},
          open(f"{tmp}/onnx_1.json", "w"))
PY

# deploy NAME MODEL ROWS DELAY: (re)deploys with batching ROWS:DELAY (ROWS 0: off) and waits until it serves.
deploy() {
    curl -sf -H "Authorization: Bearer $key" -X PUT -H 'content-type: application/json' \
        -d "{\"model\":\"$2\",\"batching\":{\"maxBatchRows\":$3,\"maxDelayMicroseconds\":$4}}" \
        "http://127.0.0.1:$port/api/deployments/$1" >/dev/null || { echo "deploying $1 with batching $3:$4 failed" >&2; exit 1; }
}
# batch_counters NAME -> "calls requests": the deployment's kiln_batch_* totals.
batch_counters() {
    curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port/metrics" | awk -v d="deployment=\"$1\"" '
        index($0, d) && /^kiln_batch_model_calls_total/ { c += $2 } index($0, d) && /^kiln_batch_requests_total/ { r += $2 }
        END { printf "%d %d\n", c, r }'
}

echo "### Dynamic batching under load, $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "Machine: $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD). Kiln as shipped (auth on, every request logged)." \
     "Single-row requests, wrk -t2 -cN -d$duration --latency after a $warmup warm-up (and a 10 s one before each flavor's first run);" \
     "mlnet: V1 records (15 columns); onnx (GBT, 100 trees) and mlp (7 -> ${MLP_HIDDEN:-2048} -> ${MLP_HIDDEN:-2048} -> 2): V2 FP32 [1, 7]."
echo
echo "| flavor | batching | connections | requests/s | p50 | p99 | vs off | rows per model call |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
declare -A off=()
for flavor in ${FLAVORS:-mlnet onnx mlp}; do
    case $flavor in
        mlnet) name=bank model=bank@champion url="http://127.0.0.1:$port/v1/models/bank:predict" body=mlnet_1.json ;;
        onnx) name=gbt7 model=gbt7/1 url="http://127.0.0.1:$port/v2/models/gbt7/infer" body=onnx_1.json ;;
        mlp) name=mlp model=mlp/1 url="http://127.0.0.1:$port/v2/models/mlp/infer" body=onnx_1.json ;;
    esac
    first=1
    for policy in 0:0 $policies; do
        deploy "$name" "$model" "${policy%%:*}" "${policy##*:}"
        code=$(curl -s -o "$tmp/response.json" -w '%{http_code}' -H "Authorization: Bearer $key" -H 'content-type: application/json' \
            --data-binary "@$tmp/$body" "$url")
        [[ $code == 200 ]] || { echo "$flavor answered $code: $(head -c 300 "$tmp/response.json")" >&2; exit 1; }
        if [[ $first == 1 ]]; then   # the flavor's code paths compiled and tiered up before anything is measured
            AUTH="Bearer $key" BODY="$tmp/$body" wrk -t2 -c16 -d10s -s "$root/bench/http/post.lua" "$url" >/dev/null
            first=0
        fi
        for c in $connections; do
            AUTH="Bearer $key" BODY="$tmp/$body" wrk -t2 -c"$c" -d"$warmup" -s "$root/bench/http/post.lua" "$url" >/dev/null
            read -r calls0 requests0 <<<"$(batch_counters "$name")"
            line=$(AUTH="Bearer $key" BODY="$tmp/$body" wrk -t2 -c"$c" -d"$duration" --latency -s "$root/bench/http/post.lua" "$url" | grep WRKSTATS)
            read -r calls1 requests1 <<<"$(batch_counters "$name")"
            eval "$(sed 's/^WRKSTATS //' <<<"$line")"
            rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
            [[ $policy == 0:0 ]] && off[$flavor$c]=$rps
            gain=$(awk -v a="$rps" -v b="${off[$flavor$c]}" 'BEGIN { printf "%.2f×", a / b }')
            per_call=$(awk -v c="$((calls1 - calls0))" -v r="$((requests1 - requests0))" 'BEGIN { if (c > 0) printf "%.1f", r / c; else print "—" }')
            label=$([[ $policy == 0:0 ]] && echo off || echo "${policy%%:*} rows, ${policy##*:} µs")
            printf '| %s | %s | %s | %s | %.2f ms | %.2f ms | %s | %s |\n' "$flavor" "$label" "$c" \
                "$(printf "%'d" "$rps")" "$(awk -v u="$p50_us" 'BEGIN { print u / 1000 }')" "$(awk -v u="$p99_us" 'BEGIN { print u / 1000 }')" \
                "$gain" "$per_call"
            [[ $status_errors == 0 && $socket_errors == 0 ]] || echo "| | | | $status_errors non-2xx, $socket_errors socket errors | | | | |"
        done
    done
done
echo
echo "Resident memory after the load: $(( $(ps -o rss= -p "$(pgrep -f "kiln.dll serve --data-dir $tmp")") / 1024 )) MB."
