#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the tests (Debian's postgresql package) and prints the
# Npgsql connection string of a superuser that may create databases. Idempotent: a cluster
# already running from an earlier call is reused. Usage: postgres.sh start|stop|status [DIR] [PORT]
set -euo pipefail
action=${1:-start}
dir=${2:-${KILN_TEST_PG_DIR:-/tmp/kiln-test-postgres}}
port=${3:-${KILN_TEST_PG_PORT:-55432}}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

# initdb and postgres refuse to run as root: run them as Debian's postgres user then.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
  start)
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      rm -rf "$dir"
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_owner "$bin/initdb" -D "$dir" -U kiln --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      # fsync off: a test cluster is thrown away, and the tests that kill processes kill Kiln, never PostgreSQL.
      # KILN_TEST_PG_DURABLE=1 keeps PostgreSQL's durable defaults instead (benchmarks of a real deployment).
      durability="-c fsync=off -c full_page_writes=off"
      [ "${KILN_TEST_PG_DURABLE:-0}" = 1 ] && durability=""
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500 $durability" start >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$port;Username=kiln;Database=postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  status)
    as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
    ;;
  *) echo "usage: postgres.sh start|stop|status [DIR] [PORT]" >&2; exit 2 ;;
esac
