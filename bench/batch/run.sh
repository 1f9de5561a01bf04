#!/usr/bin/env bash
# P3: one million rows of the 16-column Bank Marketing schema, CSV in and CSV out, scored by the peer's
# batch_sklearn.py (pandas + scikit-learn) and by `kiln batch`, one after the other in the same run:
#   - the 7-feature GradientBoosting (100 trees, depth 3): scikit-learn's for the peer, the same model exported to
#     ONNX for Kiln (served by the compiled tree engine, and by ONNX Runtime with --runtime reference);
#   - the whole-table models: the peer's one-hot + GradientBoosting pipeline (train_sklearn.py) and a FastTree model
#     trained by `kiln train` on the same training rows (the mlnet flavor, served by the compiled tree engine, and by
#     ML.NET with --runtime reference).
# Each scorer runs RUNS times (default 3); the median is reported. Kiln's "scoring" time is the batch's own clock
# (input opened to output closed), like the peer's (model loaded, file read, scored, written); "process" is the
# whole command, start-up and model fetch included.
#
#   bash bench/batch/run.sh [ROWS]          (Debian: python3-sklearn python3-pandas python3-onnx)
set -euo pipefail
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
ROWS=${1:-1000000}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
TMP=$(mktemp -d -t kiln-p3.XXXXXX)
PORT=${PORT:-5393}
SERVER=
cleanup() { [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

"$PY" -c 'import sklearn, pandas, onnx' 2>/dev/null || { echo "needs Debian's python3-sklearn python3-pandas python3-onnx" >&2; exit 1; }
cd "$ROOT"
dotnet build src/Kiln.Cli -c Release -v q -nologo >/dev/null
KILN="$ROOT/src/Kiln.Cli/bin/Release/net10.0/kiln"

"$PY" "$SHARED/peers/bankgen.py" 20000 "$TMP/train.csv" 1 >/dev/null
"$PY" "$SHARED/peers/bankgen.py" "$ROWS" "$TMP/rows.csv" 7 >/dev/null
"$PY" bench/trees/train.py "$TMP/train.csv" "$TMP/gbt7.joblib" 100 depth:3
"$PY" tools/onnx/sklearn_gbt_to_onnx.py "$TMP/gbt7.joblib" "$TMP/gbt7.onnx" >/dev/null
"$PY" "$SHARED/peers/train_sklearn.py" "$TMP/train.csv" "$TMP/pipeline.joblib" gbt >/dev/null

export KILN_SERVER=http://127.0.0.1:$PORT KILN_CACHE_DIR=$TMP/cache
"$KILN" serve --no-auth --urls "$KILN_SERVER" --data-dir "$TMP/kiln" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "$KILN_SERVER/health/ready" >/dev/null && break; sleep 0.2; done
"$KILN" models register gbt7 "$TMP/gbt7.onnx" --feature-names age,balance,day,duration,campaign,pdays,previous >/dev/null
"$KILN" train --data "$TMP/train.csv" --label y --algorithms fasttree --trials 1 --register bank-ml >/dev/null 2>&1

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peer() { # model → rows/s
    for _ in $(seq "$RUNS"); do "$PY" "$SHARED/peers/batch_sklearn.py" "$1" "$TMP/rows.csv" "$TMP/peer.csv" | awk '{print $6}'; done | median
}
kiln() { # model [args] → "scoring rows/s, process rows/s"
    local model=$1; shift
    for _ in $(seq "$RUNS"); do
        local start end seconds
        start=$(date +%s.%N)
        seconds=$("$KILN" batch --model "$model" --input "$TMP/rows.csv" --out "$TMP/kiln.csv" "$@" --output json 2>/dev/null | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
        end=$(date +%s.%N)
        echo "$(echo "$ROWS / $seconds" | bc) $(echo "$ROWS / ($end - $start)" | bc)"
    done | sort -g | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

gbt_peer=$(peer "$TMP/gbt7.joblib")
read -r gbt_kiln gbt_kiln_process < <(kiln gbt7/1)
read -r gbt_ref gbt_ref_process < <(kiln gbt7/1 --runtime reference)
read -r gbt_keep gbt_keep_process < <(kiln gbt7/1 --keep-columns age,job,marital,education,default,balance,housing,loan,contact,day,month,duration,campaign,pdays,previous,poutcome)
pipe_peer=$(peer "$TMP/pipeline.joblib")
read -r ml_kiln ml_kiln_process < <(kiln bank-ml/1)
read -r ml_ref ml_ref_process < <(kiln bank-ml/1 --runtime reference)

ratio() { echo "scale=1; $1 / $2" | bc; }
cat <<TABLE
$ROWS rows, $(nproc) cores, median of $RUNS runs; rows/s (× the peer on the same model)
| model | peer batch_sklearn.py | kiln batch: scoring | kiln batch: whole process |
|---|---|---|---|
| GBT 7 features, compiled tree engine | $gbt_peer | $gbt_kiln ($(ratio "$gbt_kiln" "$gbt_peer")×) | $gbt_kiln_process ($(ratio "$gbt_kiln_process" "$gbt_peer")×) |
| same, all 16 input columns kept (as the peer writes) | $gbt_peer | $gbt_keep ($(ratio "$gbt_keep" "$gbt_peer")×) | $gbt_keep_process ($(ratio "$gbt_keep_process" "$gbt_peer")×) |
| same, --runtime reference (ONNX Runtime) | $gbt_peer | $gbt_ref ($(ratio "$gbt_ref" "$gbt_peer")×) | $gbt_ref_process ($(ratio "$gbt_ref_process" "$gbt_peer")×) |
| whole table: peer pipeline vs kiln train FastTree (mlnet), compiled tree engine | $pipe_peer | $ml_kiln ($(ratio "$ml_kiln" "$pipe_peer")×) | $ml_kiln_process ($(ratio "$ml_kiln_process" "$pipe_peer")×) |
| same, --runtime reference (ML.NET) | $pipe_peer | $ml_ref ($(ratio "$ml_ref" "$pipe_peer")×) | $ml_ref_process ($(ratio "$ml_ref_process" "$pipe_peer")×) |
TABLE
