#!/usr/bin/env bash
# The compiled tree engine against ONNX Runtime on the same models, in one BenchmarkDotNet run:
# scikit-learn GradientBoosting with 100 trees of depth 3 (the serving benchmark's model) and with
# 500 trees of at most 31 leaves (LightGBM's default shape), both exported with Kiln's converter;
# and against LightGBM's own predictor on a real 500-tree LightGBM model (tools/lightgbm/make_fixtures.py
# --bench, LightGBM 4.6.0's lib_lightgbm.so from NuGet). Single thread; 1-row and 1000-row batches. See bench/README.md.
#
#   bash bench/trees/run.sh [extra BenchmarkDotNet args, e.g. --job short]
set -euo pipefail

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=$(cd "$ROOT/../shared" && pwd)
PY=/usr/bin/python3
TMP=$(mktemp -d -t kiln-trees.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

"$PY" -c 'import sklearn, pandas, onnx' 2>/dev/null || { echo "needs Debian's python3-sklearn python3-pandas python3-onnx" >&2; exit 1; }
"$PY" "$SHARED/peers/bankgen.py" 20000 "$TMP/train.csv" 1
"$PY" "$ROOT/bench/trees/train.py" "$TMP/train.csv" "$TMP/gbt100.joblib" 100 depth:3
"$PY" "$ROOT/bench/trees/train.py" "$TMP/train.csv" "$TMP/gbt500.joblib" 500 31
"$PY" "$ROOT/tools/onnx/sklearn_gbt_to_onnx.py" "$TMP/gbt100.joblib" "$TMP/gbt100.onnx"
"$PY" "$ROOT/tools/onnx/sklearn_gbt_to_onnx.py" "$TMP/gbt500.joblib" "$TMP/gbt500.onnx"

cd "$ROOT"
dotnet restore bench/Kiln.Benchmarks -v q >/dev/null   # brings LightGBM's lib_lightgbm.so into the NuGet cache
"$PY" "$ROOT/tools/lightgbm/make_fixtures.py" --bench "$TMP/lgbm500.txt" "$TMP/train.csv"
KILN_BENCH_TREE_MODELS="$TMP/gbt100.onnx,$TMP/gbt500.onnx" KILN_BENCH_LIGHTGBM_MODELS="$TMP/lgbm500.txt" \
    dotnet run -c Release --project bench/Kiln.Benchmarks -- --filter '*TreeEngineBenchmarks*' '*LightGbmEngineBenchmarks*' "$@"
