#!/usr/bin/env bash
# Model quality: Kiln's best trial vs scikit-learn's GradientBoostingClassifier, same data, same held-out rows,
# on Kiln's demo data and on the peers' generator. Prerequisites: .NET 10 SDK, Debian's python3-sklearn python3-pandas.
#   bash bench/quality/compare.sh            (TRIALS=6 ROWS=45211 by default)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
shared="$root/../shared"
tmp=$(mktemp -d /tmp/kiln-quality.XXXXXX)
rows=${ROWS:-45211}; trials=${TRIALS:-6}; port=${PORT:-5097}
py=/usr/bin/python3
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

dotnet build -c Release "$root/src/Kiln.Cli" -v q -nologo >/dev/null
kiln() { dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" "$@"; }

kiln demo data --rows "$rows" --seed 0 --output "$tmp/demo.csv" 2>/dev/null
$py "$shared/peers/bankgen.py" "$rows" "$tmp/peers.csv" 1

kiln serve --no-auth --data-dir "$tmp/kiln-data" --urls "http://127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.2; done

echo "| data | rows | positive rate | scikit-learn GBT AUC | Kiln best trial AUC | Kiln best algorithm | difference |"
echo "|---|---:|---:|---:|---:|---|---:|"
for name in demo peers; do
  mkdir -p "$tmp/$name"
  base=$($py "$root/bench/quality/sklearn_baseline.py" "$tmp/$name.csv" "$tmp/$name")
  start=$(date +%s.%N)
  kiln --server "http://127.0.0.1:$port" train --data "$tmp/$name/train.csv" --label y --exclude-columns duration \
       --trials "$trials" --experiment "quality-$name" --seed 1 --register "quality-$name" --alias champion >"$tmp/$name/train.log" 2>&1
  took=$($py -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$(date +%s.%N)")
  kiln --server "http://127.0.0.1:$port" deploy "quality-$name" --model "quality-$name@champion" >/dev/null 2>&1
  best=$(kiln --server "http://127.0.0.1:$port" runs list --experiment "quality-$name" --order-by "metrics.auc DESC" --max 1 -o json | $py -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["params"]["algorithm"])')
  kiln_auc=$($py "$root/bench/quality/kiln_auc.py" "http://127.0.0.1:$port" "quality-$name" "$tmp/$name/valid.csv")
  $py - "$name" "$base" "$kiln_auc" "$best" "$took" <<'PY'
import json, sys
name, base, kiln, best, took = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], float(sys.argv[5])
d = kiln["kiln_auc"] - base["sklearn_auc"]
print(f"| {name} | {base['rows']} | {base['positive_rate']:.3f} | {base['sklearn_auc']:.4f} | {kiln['kiln_auc']:.4f} | {best} (sweep + logging {took:.1f}s) | {d:+.4f} |")
PY
done
echo
echo "Both models are scored on the same held-out 20% (stratified, random_state 0); scikit-learn trains on the other 80%,"
echo "Kiln's sweep trains on 80% of that 80% and picks its best trial on the rest; \`duration\` is left out (it leaks the label)."
rm -rf "$tmp"
