#!/usr/bin/env bash
# A second private PostgreSQL cluster for the P7/P6 benchmarks, with tools/test-services/postgres.sh's
# settings minus its two non-durable ones (fsync=off, full_page_writes=off): fsync, full_page_writes and
# synchronous_commit stay at PostgreSQL's defaults (on), as in a real deployment. Prints the Npgsql
# connection string of superuser kiln. Idempotent. Usage: postgres-durable.sh start|stop [DIR] [PORT]
#   DATABASE=$(bash bench/log/postgres-durable.sh start) STORE=postgres bash bench/log/ingest.sh
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/kiln-bench-pg-durable}
port=${3:-55433}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "postgres-durable.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
  start)
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      rm -rf "$dir"
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_owner "$bin/initdb" -D "$dir" -U kiln --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500" start >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$port;Username=kiln;Database=postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: postgres-durable.sh start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
