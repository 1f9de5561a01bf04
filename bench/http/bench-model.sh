#!/usr/bin/env bash
# The benches' model and request bodies, in one place:
#
#   bash bench/http/bench-model.sh DIR [TRAIN_ROWS]
#
# DIR gets train.csv (TRAIN_ROWS demo rows, default 45,211, from the peers' generator), rows.csv (1,000 others),
# gbt7.joblib (the scikit-learn GradientBoostingClassifier on 7 numeric features, as the peer serves it), gbt7.onnx
# (exported by the repo's converter) and the request bodies (v2_1.json, v2_1000.json, records_*.json, expected.json).
# Needs Debian's python3-sklearn and python3-onnx; SHARED names the folder with peers/ (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:?usage: bench-model.sh DIR [TRAIN_ROWS]}
ROWS=${2:-45211}
PY=/usr/bin/python3
SHARED=${SHARED:-$(cd .. && pwd)/shared}
[[ -f $SHARED/peers/bankgen.py ]] || { echo "bench-model.sh: the peers' data generator $SHARED/peers/bankgen.py is missing (set SHARED)" >&2; exit 1; }
mkdir -p "$DIR"
"$PY" "$SHARED/peers/bankgen.py" "$ROWS" "$DIR/train.csv" 1 >/dev/null
"$PY" "$SHARED/peers/bankgen.py" 1000 "$DIR/rows.csv" 2 >/dev/null
"$PY" bench/http/prepare.py train "$DIR/train.csv" "$DIR/gbt7.joblib" >/dev/null
"$PY" bench/http/prepare.py bodies "$DIR/gbt7.joblib" "$DIR/rows.csv" "$DIR" >/dev/null
"$PY" tools/onnx/sklearn_gbt_to_onnx.py "$DIR/gbt7.joblib" "$DIR/gbt7.onnx" >/dev/null
[[ -s $DIR/gbt7.onnx ]] || { echo "bench-model.sh: the converter wrote no $DIR/gbt7.onnx" >&2; exit 1; }
