#!/usr/bin/env bash
# P6: the drift + quality report over 1M logged predictions in ≤ 1 s. Builds the harness in Release
# and runs it: an in-process Kiln server (auth off, temp data dir, free localhost port) with
# gbt_sklearn.onnx registered, profiled and deployed; 1000 minutes × 1000 rows written into its
# monitoring.db, 70% labelled; then the reports timed over HTTP. Prints markdown tables.
#   MINUTES=1000 ROWS_PER_MINUTE=1000 LABELLED=0.7 RUNS=5 bash bench/reports/p6.sh
#   STORE=postgres bash bench/reports/p6.sh   # DATABASE defaults to tools/test-services/postgres.sh start
# On PostgreSQL the harness creates a fresh database on the DATABASE server, the server migrates it at
# start, the rows go in by binary COPY (PostgresPredictionLog) and the labels through PostgresGroundTruth,
# then VACUUM ANALYZE; the database is dropped at the end (EXTRA=--keep keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${MINUTES:-1000}
ROWS_PER_MINUTE=${ROWS_PER_MINUTE:-1000}
LABELLED=${LABELLED:-0.7}
RUNS=${RUNS:-5}
EXTRA=${EXTRA:-}   # e.g. "--keep" to keep the data dir
STORE=${STORE:-sqlite}
store_args=(--store "$STORE")
case "$STORE" in
  sqlite) ;;
  postgres)
    DATABASE=${DATABASE:-$(tools/test-services/postgres.sh start)}
    store_args+=(--database "$DATABASE")
    echo "# PostgreSQL server: $DATABASE"
    ;;
  *) echo "p6.sh: STORE is sqlite or postgres" >&2; exit 2 ;;
esac
model=${MODEL:-tests/Kiln.Server.Tests/bin/Debug/net10.0/models/gbt_sklearn.onnx}
if [[ ! -f $model ]]; then
  # The test build makes it; without one, build the test models into a temp dir (Debian python3-onnx, -sklearn, -pandas, -yaml).
  models=$(mktemp -d)
  trap 'rm -rf "$models"' EXIT
  /usr/bin/python3 tools/onnx/make_test_models.py "$models" >/dev/null
  model=$models/gbt_sklearn.onnx
fi
dotnet build bench/Kiln.ReportBench -c Release -nologo -v q >/dev/null
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
bench/Kiln.ReportBench/bin/Release/net10.0/Kiln.ReportBench --model "$model" --minutes "$MINUTES" \
  --rows-per-minute "$ROWS_PER_MINUTE" --labelled "$LABELLED" --runs "$RUNS" "${store_args[@]}" $EXTRA
