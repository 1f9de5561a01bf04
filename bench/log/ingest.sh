#!/usr/bin/env bash
# P7: sustained prediction-log ingest, on SQLite (the default) or PostgreSQL. Builds the harness in
# Release, then runs each scenario in its own process (so peak RSS is per scenario): open-loop target
# rates in single-row and 100-row records, then a closed-loop run (the writer's ceiling). Prints one
# key=value line per scenario; exits non-zero if any open-loop scenario lost rows (dropped, failed or
# missing).
#   SECONDS_PER_RUN=25 RATES="100000 150000 200000" ROW_SIZES="1 100" bash bench/log/ingest.sh
#   STORE=postgres bash bench/log/ingest.sh    # DATABASE defaults to tools/test-services/postgres.sh start
# On PostgreSQL each scenario creates a fresh database on the DATABASE server, migrates it, and drops it
# at the end (EXTRA=--keep-db keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
RATES=${RATES:-"100000 150000 200000"}
ROW_SIZES=${ROW_SIZES:-"1 100"}
EXTRA=${EXTRA:-}   # e.g. "--live-profiles" or "--no-index"
STORE=${STORE:-sqlite}
store_args=(--store "$STORE")
case "$STORE" in
  sqlite) ;;
  postgres)
    DATABASE=${DATABASE:-$(tools/test-services/postgres.sh start)}
    store_args+=(--database "$DATABASE")
    echo "# PostgreSQL server: $DATABASE"
    ;;
  *) echo "ingest.sh: STORE is sqlite or postgres" >&2; exit 2 ;;
esac
dotnet build bench/Kiln.LogIngest -c Release -nologo -v q >/dev/null
bin=bench/Kiln.LogIngest/bin/Release/net10.0/Kiln.LogIngest
echo "# $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for rows in $ROW_SIZES; do
  for rate in $RATES; do
    # shellcheck disable=SC2086
    "$bin" --name "open-$rate-x$rows" --rate "$rate" --rows "$rows" --seconds "$SECONDS_PER_RUN" --producers 2 --capacity 200000 --batch 5000 --require-no-loss "${store_args[@]}" $EXTRA || status=1
  done
  # shellcheck disable=SC2086
  "$bin" --name "closed-x$rows" --rate 0 --rows "$rows" --seconds "$SECONDS_PER_RUN" --producers 2 --capacity 200000 --batch 5000 "${store_args[@]}" $EXTRA
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
