#!/usr/bin/env bash
# The mlnet flavor under HTTP load, in one run beside the peer's bank pipeline (Flask + scikit-learn,
# one-hot + GradientBoosting on all 16 columns) and Kiln serving a 7-feature ONNX GBT:
#   1. kiln demo data (45,211 rows) → kiln train (timed) → best trial registered and deployed (mlnet);
#   2. wrk -t2 -c16 on single-row and 1000-row requests for each server.
# Prerequisites as for run.sh (peer packages, wrk). Usage: DURATION=15s bash bench/http/mlnet.sh
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
shared="$root/../shared"
py=/usr/bin/python3
duration=${DURATION:-15s}; warmup=${WARMUP:-3s}; trials=${TRIALS:-6}
kiln_port=5081; peer_port=5056
tmp=$(mktemp -d /tmp/kiln-mlnet.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done; }
trap cleanup EXIT

dotnet build -c Release "$root/src/Kiln.Cli" -v q -nologo >/dev/null
kiln() { dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" --server "http://127.0.0.1:$kiln_port" "$@"; }

kiln demo data --rows 45211 --seed 0 --output "$tmp/bank.csv" 2>/dev/null
"$py" "$shared/peers/train_sklearn.py" "$tmp/bank.csv" "$tmp/bank_gbt.joblib" gbt >/dev/null
"$py" "$root/bench/http/prepare.py" train "$tmp/bank.csv" "$tmp/gbt7.joblib"
"$py" "$root/tools/onnx/sklearn_gbt_to_onnx.py" "$tmp/gbt7.joblib" "$tmp/gbt7.onnx" >/dev/null

setsid dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" serve --no-auth --data-dir "$tmp/kiln-data" --urls "http://127.0.0.1:$kiln_port" >"$tmp/kiln.log" 2>&1 &
pids+=($!)
(cd "$shared/peers" && MODEL_PATH="$tmp/bank_gbt.joblib" setsid "$py" -m gunicorn -w 2 -b "127.0.0.1:$peer_port" flask_server:app >"$tmp/peer.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$kiln_port/health/live" >/dev/null && curl -sf "http://127.0.0.1:$peer_port/health" >/dev/null && break; sleep 0.2; done

start=$(date +%s.%N)
kiln train --data "$tmp/bank.csv" --label y --exclude-columns duration --trials "$trials" --experiment bench --seed 1 \
     --register bank --alias champion >"$tmp/train.log" 2>&1
train_seconds=$("$py" -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$start" "$(date +%s.%N)")
best=$(grep -o 'sweep took [0-9.]*s' "$tmp/train.log" | head -1)
kiln deploy bank --model bank@champion >/dev/null 2>&1
kiln models register gbt7 "$tmp/gbt7.onnx" --feature-names age,balance,day,duration,campaign,pdays,previous >/dev/null 2>&1
kiln deploy gbt7 --model gbt7/1 >/dev/null 2>&1

"$py" - "$tmp" <<'PY'
import json, sys, pandas as pd
tmp = sys.argv[1]
rows = pd.read_csv(f"{tmp}/bank.csv").iloc[:1000]
def records(frame, drop):
    return [{k: (int(v) if not isinstance(v, str) else v) for k, v in r.items() if k not in drop} for r in frame.to_dict("records")]
for n in (1, 1000):
    part = rows.iloc[:n]
    json.dump({"instances": records(part, {"y"})}, open(f"{tmp}/peer_{n}.json", "w"))
    json.dump({"instances": records(part, {"y", "duration"})}, open(f"{tmp}/mlnet_{n}.json", "w"))
    seven = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]
    json.dump({"instances": [{k: int(r[k]) for k in seven} for r in part.to_dict("records")]}, open(f"{tmp}/gbt7_{n}.json", "w"))
cols = [c for c in rows.columns if c not in ("y", "duration")]
first = rows.iloc[0]
inputs = [{"name": c, "shape": [1, 1], "datatype": "BYTES" if isinstance(first[c], str) else "FP32",
           "data": [first[c] if isinstance(first[c], str) else float(first[c])]} for c in cols]
json.dump({"inputs": inputs}, open(f"{tmp}/mlnet_v2_1.json", "w"))
PY

scenarios=(
  "peer bank pipeline (16 columns), 1 row|1|http://127.0.0.1:$peer_port/predict|peer_1.json"
  "peer bank pipeline (16 columns), 1000 rows|1000|http://127.0.0.1:$peer_port/predict|peer_1000.json"
  "Kiln mlnet (15 columns), V1 1 row|1|http://127.0.0.1:$kiln_port/v1/models/bank:predict|mlnet_1.json"
  "Kiln mlnet (15 columns), V2 1 row|1|http://127.0.0.1:$kiln_port/v2/models/bank/infer|mlnet_v2_1.json"
  "Kiln mlnet (15 columns), V1 1000 rows|1000|http://127.0.0.1:$kiln_port/v1/models/bank:predict|mlnet_1000.json"
  "Kiln onnx GBT (7 columns), V1 1 row|1|http://127.0.0.1:$kiln_port/v1/models/gbt7:predict|gbt7_1.json"
  "Kiln onnx GBT (7 columns), V1 1000 rows|1000|http://127.0.0.1:$kiln_port/v1/models/gbt7:predict|gbt7_1000.json"
)
echo "### mlnet flavor under load, $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "kiln train on 45,211 demo rows, $trials trials, logging included: ${train_seconds}s ($best). wrk -t2 -c16 -d$duration after a $warmup warm-up."
echo
echo "| scenario | requests/s | rows/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
for s in "${scenarios[@]}"; do
  IFS='|' read -r name n url body <<<"$s"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' --data-binary "@$tmp/$body" "$url")
  [ "$code" = 200 ] || { echo "$name answered $code"; curl -s -H 'content-type: application/json' --data-binary "@$tmp/$body" "$url" | head -c 300; exit 1; }
  BODY="$tmp/$body" wrk -t2 -c16 -d"$warmup" -s "$root/bench/http/post.lua" "$url" >/dev/null
  line=$(BODY="$tmp/$body" wrk -t2 -c16 -d"$duration" --latency -s "$root/bench/http/post.lua" "$url" | grep WRKSTATS)
  "$py" - "$name" "$n" "$line" <<'PY'
import sys
name, n, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
f = dict(kv.split("=") for kv in line.split()[1:])
rps = int(f["requests"]) / (int(f["duration_us"]) / 1e6)
print(f"| {name} | {rps:,.0f} | {rps * n:,.0f} | {int(f['p50_us'])/1000:.2f} ms | {int(f['p99_us'])/1000:.2f} ms | {f['status_errors']} |")
PY
done
echo
echo "Resident memory after the load: Kiln $(( $(ps -o rss= -p "$(pgrep -f "kiln.dll serve --no-auth --data-dir $tmp")") / 1024 )) MB."
