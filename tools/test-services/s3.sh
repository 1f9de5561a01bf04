#!/usr/bin/env bash
# Starts s3rver (npm, pinned in s3rver/package-lock.json) as the S3-compatible server of the tests
# and prints its endpoint URL, the one line on stdout. Idempotent: a server already running from an
# earlier call is reused. Its credentials are s3rver's defaults, S3RVER / S3RVER; use path-style
# addressing. Usage: s3.sh start|stop|status [DIR] [PORT] (status: exit 0 when a server answers)
set -euo pipefail
action=${1:-start}
dir=${2:-${KILN_TEST_S3_DIR:-/tmp/kiln-test-s3}}
port=${3:-${KILN_TEST_S3_PORT:-54569}}
here=$(cd "$(dirname "$0")" && pwd)
endpoint="http://127.0.0.1:$port"
pidfile="$dir/s3rver.pid"

# Whether an HTTP server answers on the port (bash's /dev/tcp: no curl needed).
answers() {
  local status=""
  { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && read -r -t 2 status <&3; } 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  [[ "$status" == HTTP/* ]]
}
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$action" in
  start)
    if ! answers; then
      command -v npm >/dev/null || { echo "s3.sh: node and npm are required (apt-get install nodejs npm)" >&2; exit 1; }
      if [ ! -x "$here/s3rver/node_modules/.bin/s3rver" ]; then
        (cd "$here/s3rver" && npm ci --no-audit --no-fund --loglevel=error) >&2
      fi
      if running; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
      rm -rf "$dir"
      mkdir -p "$dir/data"
      # Detached, with every stream on the log, so a caller's $(s3.sh start) does not wait for it.
      setsid node "$here/s3rver/node_modules/s3rver/bin/s3rver.js" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent --no-vhost-buckets \
        </dev/null >"$dir/s3rver.log" 2>&1 &
      echo $! >"$pidfile"
      for _ in $(seq 1 150); do
        answers && break
        running || { echo "s3.sh: s3rver exited at start; see $dir/s3rver.log" >&2; tail -n 20 "$dir/s3rver.log" >&2; exit 1; }
        sleep 0.2
      done
      answers || { echo "s3.sh: s3rver did not answer on $endpoint within 30 s; see $dir/s3rver.log" >&2; exit 1; }
    fi
    echo "$endpoint"
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
    ;;
  status)
    answers
    ;;
  *) echo "usage: s3.sh start|stop|status [DIR] [PORT]" >&2; exit 2 ;;
esac
