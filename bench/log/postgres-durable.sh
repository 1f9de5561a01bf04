#!/usr/bin/env bash
# A second private PostgreSQL cluster for the P7/P6 benchmarks: tools/test-services/postgres.sh's cluster
# with PostgreSQL's durable defaults (fsync, full_page_writes and synchronous_commit on), as in a real
# deployment. Prints the Npgsql connection string of superuser kiln. Idempotent.
# Usage: postgres-durable.sh start|stop|status [DIR] [PORT]
#   DATABASE=$(bash bench/log/postgres-durable.sh start) STORE=postgres bash bench/log/ingest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KILN_TEST_PG_DURABLE=1 exec "$here/../../tools/test-services/postgres.sh" "${1:-start}" "${2:-/tmp/kiln-bench-pg-durable}" "${3:-55433}"
