#!/usr/bin/env bash
# The dashboard's speed target: every page ≤ 300 ms on the server with 10,000 runs and 1M logged predictions.
# The P6 harness fills the log (1M predictions, 70 % labelled, a drift episode), then seeds 10,000 runs and times
# every page over HTTP (one warm-up, then RUNS runs). Same settings as p6.sh (STORE=postgres DATABASE=… for PostgreSQL).
#   bash bench/dashboard/pages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
EXTRA="--dashboard ${EXTRA:-}" exec bash bench/reports/p6.sh
