#!/usr/bin/env bash
# Copies the dashboard screenshots the browser tests saved (artifacts/screenshots/, or $KILN_SCREENSHOTS)
# into docs/images/, where the README and docs/dashboard.md show them. Run it after ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
from=${KILN_SCREENSHOTS:-artifacts/screenshots}
for pair in overview:dashboard-overview deployment:dashboard-deployment monitoring:dashboard-drift; do
  source="$from/${pair%%:*}.png"
  [ -f "$source" ] || { echo "screenshots.sh: $source is missing; run the browser tests first (./test.sh)" >&2; exit 1; }
  cp "$source" "docs/images/${pair##*:}.png"
  echo "docs/images/${pair##*:}.png ← $source"
done
