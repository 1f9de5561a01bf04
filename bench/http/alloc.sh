#!/usr/bin/env bash
# Managed bytes Kiln allocates per request under load: the change in dotnet_gc_allocated_bytes_total over a 5 s wrk
# run (after a 15 s warm-up), divided by the requests served. Everything the process allocates in that time counts
# (the prediction-log writer included), so it is the cost per request of serving as shipped.
#   KEEP_TMP=1 bash bench/http/run.sh   # makes gbt7.onnx and v2_1.json in a kept temp dir
#   bash bench/http/alloc.sh TMPDIR/gbt7.onnx TMPDIR/v2_1.json [LOG_SAMPLE (default 1)]
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
model=$1 body=$2 sample=${3:-1}
admin=kiln_bench_admin_key_0123456789abcdef url=http://127.0.0.1:5083
data=$(mktemp -d /tmp/kiln-alloc.XXXXXX)
dotnet build -c Release "$root/src/Kiln.Cli" -v q -nologo >/dev/null
KILN_ADMIN_KEY=$admin setsid dotnet "$root/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" serve --urls $url --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill -- -$pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf $url/health/live >/dev/null && break; sleep 0.3; done
auth=(-H "Authorization: Bearer $admin")
curl -sf "${auth[@]}" -F "file=@$model" -F "featureNames=age,balance,day,duration,campaign,pdays,previous" $url/api/models/gbt/versions >/dev/null
curl -sf "${auth[@]}" -X PUT -H 'content-type: application/json' -d "{\"model\":\"gbt/1\",\"logSampleRate\":$sample}" $url/api/deployments/gbt >/dev/null
key=$(curl -sf "${auth[@]}" -H 'content-type: application/json' -d '{"name":"b","role":"predictor","deployments":["gbt"]}' $url/api/keys \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
allocated() { curl -sf "${auth[@]}" $url/metrics | awk '$1 == "dotnet_gc_allocated_bytes_total" { print $2 }'; }
AUTH="Bearer $key" BODY=$body wrk -t2 -c16 -d15s -s "$root/bench/http/post.lua" $url/v2/models/gbt/infer >/dev/null
before=$(allocated)
requests=$(AUTH="Bearer $key" BODY=$body wrk -t2 -c16 -d5s -s "$root/bench/http/post.lua" $url/v2/models/gbt/infer | sed -n 's/^WRKSTATS requests=\([0-9]*\).*/\1/p')
after=$(allocated)
echo "log sample $sample: $requests requests in 5 s, $(( (after - before) / requests )) bytes allocated per request"
