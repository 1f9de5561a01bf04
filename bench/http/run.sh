#!/usr/bin/env bash
# One-run HTTP load benchmark, side by side on this machine: the peer (Flask + scikit-learn under
# gunicorn -w 2), the bare yardstick (Kestrel + ONNX Runtime) and Kiln, all serving the same
# 7-feature GradientBoosting model. See bench/README.md. Kiln runs as shipped: auth on (the load
# uses a predictor key scoped to the deployment, as a real client would) and every request written
# to the prediction log (sample rate 1, the default); the table reports the log rows each Kiln
# scenario stored and dropped.
#
#   bash bench/http/run.sh                      # everything
#   SKIP_KILN=1 DURATION=10s bash bench/http/run.sh
#
# Env: DURATION (wrk -d, default 15s), WARMUP (default 30s: .NET servers reach their steady speed only once tiered
# compilation has re-jitted the hot paths, about 20 s under load on 2 cores; see bench/README.md), SKIP_KILN=1, LOG_SAMPLE (Kiln's prediction-log
# sample rate, default 1; 0 measures Kiln without the log), KEEP_TMP=1 (keep the temp
# dir even on success), RESULTS_OUT=FILE (also write the markdown table there), START_TIMEOUT
# (seconds to wait for each server, default 300: dotnet run builds first).
set -euo pipefail

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
SHARED=$(cd "$ROOT/../shared" && pwd)
cd "$ROOT"
PY=/usr/bin/python3
HERE=$ROOT/bench/http
CONVERTER=$ROOT/tools/onnx/sklearn_gbt_to_onnx.py
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-30s}
SKIP_KILN=${SKIP_KILN:-0}
LOG_SAMPLE=${LOG_SAMPLE:-1}
ADMIN_KEY=kiln_bench_admin_key_0123456789abcdef
START_TIMEOUT=${START_TIMEOUT:-300}
WRK=(wrk -t2 -c16 --latency)
PEER_PORT=5055 YARD_PORT=5090 KILN_PORT=5080
FEATURES=age,balance,day,duration,campaign,pdays,previous

TMP=$(mktemp -d -t kiln-bench.XXXXXX)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A PGID=()   # server key -> process group id (each server runs in its own session)

die() { echo "run.sh: FAILED: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

cleanup() {
    local rc=$? key
    trap - EXIT INT TERM
    for key in "${!PGID[@]}"; do kill -TERM -- "-${PGID[$key]}" 2>/dev/null || true; done
    for _ in $(seq 50); do
        local alive=0
        for key in "${!PGID[@]}"; do kill -0 -- "-${PGID[$key]}" 2>/dev/null && alive=1; done
        [[ $alive == 0 ]] && break
        sleep 0.2
    done
    for key in "${!PGID[@]}"; do kill -KILL -- "-${PGID[$key]}" 2>/dev/null || true; done
    if [[ $rc == 0 && ${KEEP_TMP:-0} != 1 ]]; then rm -rf "$TMP"; else echo "run.sh: temp files and server logs kept in $TMP" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk curl setsid "$PY"; do command -v "$tool" >/dev/null || die "$tool not found (see bench/README.md set-up)"; done
"$PY" -c 'import sklearn, flask, pandas, gunicorn, prometheus_client' 2>/dev/null \
    || die "the peer needs Debian's python3-sklearn python3-flask python3-pandas python3-gunicorn python3-prometheus-client"
for port in $PEER_PORT $YARD_PORT $KILN_PORT; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then die "something already listens on 127.0.0.1:$port"; fi
done

# (a) data, the peer's 7-feature same-model comparison, request bodies --------------------------
log "data and model in $TMP"
"$PY" "$SHARED/peers/bankgen.py" 45211 "$TMP/train.csv" 1
"$PY" "$SHARED/peers/bankgen.py" 1000 "$TMP/rows.csv" 2
"$PY" "$HERE/prepare.py" train "$TMP/train.csv" "$TMP/gbt7.joblib"
"$PY" "$HERE/prepare.py" bodies "$TMP/gbt7.joblib" "$TMP/rows.csv" "$TMP"

# (b) export to ONNX with the repo's converter ---------------------------------------------------
[[ -f $CONVERTER ]] || die "ONNX converter $CONVERTER is missing (tools/onnx/ not written yet?); cannot export the model"
ONNX=$TMP/gbt7.onnx
"$PY" "$CONVERTER" "$TMP/gbt7.joblib" "$ONNX" || die "ONNX export with $CONVERTER failed"
[[ -s $ONNX ]] || die "$CONVERTER wrote no $ONNX"

# (c) servers ---------------------------------------------------------------------------------
# start KEY CMD...: run CMD in its own session (so its whole process tree can be stopped and
# measured), output to $TMP/KEY.log. In a non-interactive script setsid execs in place, so $! is
# the session and process-group id.
start() {
    local key=$1; shift
    setsid "$@" >"$TMP/$key.log" 2>&1 </dev/null &
    PGID[$key]=$!
}
# http_code METHOD URL [BODYFILE] -> prints the status (000 when nothing answers); $AUTH, when set, is sent as Authorization.
http_code() {
    local args=(-s -o "$TMP/last_response" -w '%{http_code}' --max-time 30 -X "$1")
    [[ -n ${3:-} ]] && args+=(-H 'content-type: application/json' --data-binary "@$3")
    [[ -n ${AUTH:-} ]] && args+=(-H "Authorization: $AUTH")
    curl "${args[@]}" "$2" || true
}
# wait_up KEY METHOD URL [BODYFILE]: until the server answers anything; dies if it exits first.
wait_up() {
    local key=$1 deadline=$((SECONDS + START_TIMEOUT))
    until [[ $(http_code "$2" "$3" "${4:-}") != 000 ]]; do
        kill -0 "${PGID[$key]}" 2>/dev/null || { tail -n 30 "$TMP/$key.log" >&2; die "$key exited during start-up (log above)"; }
        ((SECONDS < deadline)) || { tail -n 30 "$TMP/$key.log" >&2; die "$key did not answer $3 within ${START_TIMEOUT}s"; }
        sleep 0.5
    done
}
# dotnet run: no lingering MSBuild nodes or compiler server in the measured process groups.
DOTNET_ENV=(env MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1)

log "starting the peer (gunicorn -w 2) on :$PEER_PORT"
start peer env MODEL_PATH="$TMP/gbt7.joblib" "$PY" -m gunicorn -w 2 -b "127.0.0.1:$PEER_PORT" \
    --chdir "$SHARED/peers" flask_server:app
log "starting the yardstick on :$YARD_PORT (dotnet run builds first)"
start yard "${DOTNET_ENV[@]}" dotnet run -c Release --project bench/Kiln.Yardstick -- \
    --model "$ONNX" --urls "http://127.0.0.1:$YARD_PORT"
wait_up peer GET "http://127.0.0.1:$PEER_PORT/health"
wait_up yard POST "http://127.0.0.1:$YARD_PORT/v2/models/gbt/infer" "$TMP/v2_1.json"

if [[ $SKIP_KILN != 1 ]]; then
    log "starting Kiln on :$KILN_PORT (dotnet run builds first)"
    start kiln "${DOTNET_ENV[@]}" KILN_ADMIN_KEY=$ADMIN_KEY dotnet run -c Release --project src/Kiln.Cli -- \
        serve --urls "http://127.0.0.1:$KILN_PORT" --data-dir "$TMP/kiln-data"
    wait_up kiln GET "http://127.0.0.1:$KILN_PORT/v2/models/gbt/ready"
    log "registering and deploying gbt in Kiln (prediction-log sample rate $LOG_SAMPLE)"
    ADMIN=(-H "Authorization: Bearer $ADMIN_KEY")
    curl -sf "${ADMIN[@]}" -F "file=@$ONNX" -F "featureNames=$FEATURES" "http://127.0.0.1:$KILN_PORT/api/models/gbt/versions" >"$TMP/kiln_register.json" \
        || die "Kiln: model registration failed"
    curl -sf "${ADMIN[@]}" -X PUT -H 'content-type: application/json' -d "{\"model\":\"gbt/1\",\"logSampleRate\":$LOG_SAMPLE}" \
        "http://127.0.0.1:$KILN_PORT/api/deployments/gbt" >"$TMP/kiln_deploy.json" || die "Kiln: deployment failed"
    KILN_AUTH="Bearer $(curl -sf "${ADMIN[@]}" -H 'content-type: application/json' -d '{"name":"bench","role":"predictor","deployments":["gbt"]}' \
        "http://127.0.0.1:$KILN_PORT/api/keys" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')" || die "Kiln: key creation failed"
    deadline=$((SECONDS + 60))
    until [[ $(AUTH=$KILN_AUTH http_code GET "http://127.0.0.1:$KILN_PORT/v2/models/gbt/ready") == 200 ]]; do
        ((SECONDS < deadline)) || die "Kiln: GET /v2/models/gbt/ready not 200 within 60s after deploying"
        sleep 0.2
    done
fi

# (d) scenarios -------------------------------------------------------------------------------
# id|label|server|rows|url|body
SCENARIOS=(
    "peer_1|peer POST /predict, 1 row|peer|1|http://127.0.0.1:$PEER_PORT/predict|records_1.json"
    "peer_1000|peer POST /predict, 1000 rows|peer|1000|http://127.0.0.1:$PEER_PORT/predict|records_1000.json"
    "yard_1|yardstick V2 infer, 1 row|yard|1|http://127.0.0.1:$YARD_PORT/v2/models/gbt/infer|v2_1.json"
    "yard_1000|yardstick V2 infer, 1000 rows|yard|1000|http://127.0.0.1:$YARD_PORT/v2/models/gbt/infer|v2_1000.json"
)
if [[ $SKIP_KILN != 1 ]]; then
    SCENARIOS+=(
        "kv2_1|Kiln V2 infer, 1 row|kiln|1|http://127.0.0.1:$KILN_PORT/v2/models/gbt/infer|v2_1.json"
        "kv2_1000|Kiln V2 infer, 1000 rows|kiln|1000|http://127.0.0.1:$KILN_PORT/v2/models/gbt/infer|v2_1000.json"
        "kv1_1|Kiln V1 :predict, 1 row|kiln|1|http://127.0.0.1:$KILN_PORT/v1/models/gbt:predict|records_1.json"
        "kv1_1000|Kiln V1 :predict, 1000 rows|kiln|1000|http://127.0.0.1:$KILN_PORT/v1/models/gbt:predict|records_1000.json"
    )
fi

log "checking every target answers 200 to its body"
for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r id label server rows url body <<<"$s"
    code=$(AUTH=$([[ $server == kiln ]] && echo "$KILN_AUTH" || true) http_code POST "$url" "$TMP/$body")
    cp "$TMP/last_response" "$TMP/response_$id.json"
    if [[ $code != 200 ]]; then
        head -c 2000 "$TMP/last_response" >&2; echo >&2
        die "$label: POST $url answered $code, not 200 (response above)"
    fi
done
log "checking the single-row probabilities against sklearn predict_proba"
"$PY" "$HERE/prepare.py" check "$TMP/expected.json" "$TMP/response_peer_1.json" peer || die "peer probabilities differ from sklearn"
"$PY" "$HERE/prepare.py" check "$TMP/expected.json" "$TMP/response_yard_1.json" v2 || die "yardstick probabilities differ from sklearn"
if [[ $SKIP_KILN != 1 ]]; then
    for id in kv2_1 kv1_1; do
        "$PY" "$HERE/prepare.py" check "$TMP/expected.json" "$TMP/response_$id.json" any \
            || echo "run.sh: WARNING: $id: sklearn's P(yes) not found in Kiln's response ($TMP/response_$id.json)" >&2
    done
fi

# rss_mb KEY: resident memory of the server's process group (gunicorn: master + workers), less
# the `dotnet run` host that only waits for the app it started.
rss_mb() {
    ps -o pid=,rss=,args= -g "${PGID[$1]}" | awk -v leader="${PGID[$1]}" \
        '!($1 == leader && $0 ~ /dotnet.* run /) { kb += $2; n++ } END { printf "%.0f|%d\n", kb / 1024, n }'
}

# log_counters -> "written dropped failed": Kiln's prediction-log totals from /metrics.
log_counters() {
    curl -sf -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$KILN_PORT/metrics" | awk '
        $1 == "kiln_prediction_log_written_total" { w = $2 } $1 == "kiln_prediction_log_dropped_total" { d = $2 }
        $1 == "kiln_prediction_log_failed_total" { f = $2 } END { printf "%d %d %d\n", w, d, f }'
}
# log_settled: waits until the writer has stored what was queued (the queue depth is 0), at most 30 s.
log_settled() {
    local deadline=$((SECONDS + 30))
    until curl -sf -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$KILN_PORT/metrics" | awk '$1 == "kiln_prediction_log_queue_depth" && $2 == 0 { ok = 1 } END { exit !ok }'; do
        ((SECONDS < deadline)) || { echo "run.sh: WARNING: the prediction log's queue did not drain within 30 s" >&2; return; }
        sleep 0.2
    done
}

declare -A RPS=() P50=() P99=() NON2XX=() SOCK=() ROWS=() LABEL=() RSS=() NPROC=() LOGGED=() DROPPED=()
for i in "${!SCENARIOS[@]}"; do
    IFS='|' read -r id label server rows url body <<<"${SCENARIOS[$i]}"
    auth=$([[ $server == kiln ]] && echo "$KILN_AUTH" || true)
    log "$label: warm-up $WARMUP, then $DURATION"
    AUTH=$auth BODY=$TMP/$body "${WRK[@]}" -d"$WARMUP" -s "$HERE/post.lua" "$url" >"$TMP/wrk_${id}_warmup.txt"
    if [[ $server == kiln ]]; then log_settled; read -r written0 dropped0 failed0 <<<"$(log_counters)"; fi
    AUTH=$auth BODY=$TMP/$body "${WRK[@]}" -d"$DURATION" -s "$HERE/post.lua" "$url" >"$TMP/wrk_$id.txt"
    if [[ $server == kiln ]]; then
        log_settled
        read -r written1 dropped1 failed1 <<<"$(log_counters)"
        LOGGED[$id]=$((written1 - written0)) DROPPED[$id]=$((dropped1 - dropped0 + failed1 - failed0))
    fi
    line=$(grep '^WRKSTATS ' "$TMP/wrk_$id.txt") || { cat "$TMP/wrk_$id.txt" >&2; die "$label: no WRKSTATS line from wrk"; }
    eval "$(sed 's/^WRKSTATS //' <<<"$line")"   # requests= duration_us= p50_us= p99_us= status_errors= socket_errors=
    LABEL[$id]=$label ROWS[$id]=$rows
    RPS[$id]=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.1f", r / (d / 1e6) }')
    P50[$id]=$p50_us P99[$id]=$p99_us NON2XX[$id]=$status_errors SOCK[$id]=$socket_errors
    next_server=$(IFS='|' read -r _ _ ns _ <<<"${SCENARIOS[$((i + 1))]:-x|x|none|x}"; echo "$ns")
    if [[ $next_server != "$server" ]]; then   # this server's last scenario: memory right after its load
        IFS='|' read -r RSS[$server] NPROC[$server] <<<"$(rss_mb "$server")"
    fi
done

# report --------------------------------------------------------------------------------------
fmt_int() { awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
ms() { awk -v u="$1" 'BEGIN { printf (u < 10000 ? "%.2f ms" : "%.1f ms"), u / 1000 }'; }
ratio() { [[ -n ${RPS[$2]:-} ]] && awk -v a="${RPS[$1]}" -v b="${RPS[$2]}" 'BEGIN { printf "%.2f×", a / b }' || echo "—"; }
{
    echo "### HTTP load, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM." \
        "wrk -t2 -c16 -d$DURATION --latency after a $WARMUP warm-up, same machine." \
        "Model: 7-feature GradientBoosting (100 trees, depth 3), joblib for the peer, ONNX for the others." \
        "Commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)." \
        "Load average before the run: $LOAD_AT_START (anything else busy on the machine skews every row)."
    echo
    echo "| scenario | requests/s | rows/s | p50 | p99 | non-2xx | socket errors | log rows stored | log rows dropped | vs yardstick | vs peer |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for s in "${SCENARIOS[@]}"; do
        IFS='|' read -r id _ server rows _ _ <<<"$s"
        case $server in
            peer) vy="—" vp="—" ;;
            yard) vy="—" vp=$(ratio "$id" "peer_$rows") ;;
            kiln) vy=$(ratio "$id" "yard_$rows") vp=$(ratio "$id" "peer_$rows") ;;
        esac
        echo "| ${LABEL[$id]} | $(fmt_int "${RPS[$id]}") | $(fmt_int "$(awk -v r="${RPS[$id]}" -v n="$rows" 'BEGIN { print r * n }')") |" \
            "$(ms "${P50[$id]}") | $(ms "${P99[$id]}") | ${NON2XX[$id]} | ${SOCK[$id]} |" \
            "$([[ -n ${LOGGED[$id]:-} ]] && fmt_int "${LOGGED[$id]}" || echo —) | ${DROPPED[$id]:-—} | $vy | $vp |"
    done
    echo
    echo "| server | resident memory after its load | processes |"
    echo "|---|---:|---:|"
    echo "| peer (gunicorn master + 2 workers) | ${RSS[peer]} MB | ${NPROC[peer]} |"
    echo "| yardstick | ${RSS[yard]} MB | ${NPROC[yard]} |"
    [[ $SKIP_KILN != 1 ]] && echo "| Kiln | ${RSS[kiln]} MB | ${NPROC[kiln]} |"
    echo
    echo "Ratios are of requests/s (= rows/s at the same rows per request) against the same row count."
    echo "Kiln: auth on (a predictor key scoped to the deployment), prediction-log sample rate $LOG_SAMPLE; log rows are those"
    echo "of the measured run (after its warm-up), counted from /metrics once the writer's queue is empty; dropped includes failed."
} | tee "$TMP/results.md"
[[ -n ${RESULTS_OUT:-} ]] && cp "$TMP/results.md" "$RESULTS_OUT"
total_bad=0
for id in "${!RPS[@]}"; do total_bad=$((total_bad + NON2XX[$id] + SOCK[$id])); done
((total_bad == 0)) || die "$total_bad failed requests during the load (see the table)"
