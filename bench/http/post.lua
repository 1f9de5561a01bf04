-- wrk script: POST the JSON body in the file named by $BODY, then print one machine-readable line.
--   BODY=/tmp/x/v2_1.json wrk -t2 -c16 -d15s --latency -s bench/http/post.lua http://127.0.0.1:5090/v2/models/gbt/infer
local path = os.getenv("BODY")
if not path then error("set BODY to the path of a JSON request body") end
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
-- $AUTH, when set, is sent as the Authorization header (Kiln runs with auth on, as shipped).
local auth = os.getenv("AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

-- summary.errors.status counts HTTP statuses > 399; latencies are in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKSTATS requests=%d duration_us=%d p50_us=%d p99_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
