#!/usr/bin/env bash
# Runs every Kiln test. On a Debian machine that has only the .NET SDK it first installs what the
# tests need (Debian packages; npm's s3rver, pinned in tools/test-services), starts a private
# PostgreSQL cluster and an S3-compatible server, and stops them again at the end.
#
#   pass 1: dotnet test Kiln.slnx on the embedded default (SQLite file + local artifact folder);
#           the PostgreSQL and S3 tests in it use the servers started here.
#   pass 2: the server functional suite again with every store on PostgreSQL and artifacts on S3.
#
# Extra arguments go to both `dotnet test` calls (for example: --filter "FullyQualifiedName~Canary").
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PYTHONDONTWRITEBYTECODE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------------------------
# python3-onnx & co. build the test ONNX models during the test build (tools/onnx/make_test_models.py);
# prometheus gives promtool and the server for the metrics tests; postgresql the second backend;
# nginx the load balancer of the replica tests; nodejs/npm run the S3-compatible server; chromium is the
# browser Playwright drives in the dashboard tests (Playwright never downloads one here); tzdata the time zones
# the pipeline schedule tests use (Europe/Berlin and its daylight-saving changes).
packages=(python3-onnx python3-numpy python3-sklearn python3-pandas python3-yaml prometheus postgresql nginx chromium tzdata)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing test prerequisites: ${missing[*]} =="
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's launcher script; the browser tests skip without it (fail under CI=true).
export KILN_TEST_CHROMIUM=/usr/bin/chromium
# The browser tests' screenshots, to look at after the run.
export KILN_SCREENSHOTS="${KILN_SCREENSHOTS:-$PWD/artifacts/screenshots}"

# --- services ----------------------------------------------------------------------------------
services=tools/test-services
# Stop at the end only what this run started: a server someone left running (a benchmark, a second run) stays up.
stop=()
"$services/postgres.sh" status || stop+=("$services/postgres.sh")
"$services/s3.sh" status || stop+=("$services/s3.sh")
trap 'for service in "${stop[@]}"; do "$service" stop || true; done' EXIT
echo "== starting PostgreSQL and the S3-compatible server =="
KILN_TEST_POSTGRES=$("$services/postgres.sh" start)
KILN_TEST_S3=$("$services/s3.sh" start)
export KILN_TEST_POSTGRES KILN_TEST_S3
echo "PostgreSQL: $KILN_TEST_POSTGRES"
echo "S3:         $KILN_TEST_S3"

# --- tests -------------------------------------------------------------------------------------
log=$(mktemp)
status=0
echo "== pass 1: dotnet test Kiln.slnx (SQLite + local folder) =="
dotnet test Kiln.slnx "$@" 2>&1 | tee -a "$log" || status=1
echo "== pass 2: server functional suite on PostgreSQL + S3 =="
KILN_TEST_BACKEND=postgresql dotnet test tests/Kiln.Server.Tests --no-build "$@" 2>&1 | tee -a "$log" || status=1

# One plain summary line over every test assembly and both passes.
awk '/(Passed|Failed)! +- +Failed:/ {
        for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
if [ -d "$KILN_SCREENSHOTS" ]; then echo "screenshots: $KILN_SCREENSHOTS"; fi
exit "$status"
