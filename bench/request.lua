-- wrk script for bench/run.py: one POST per request, shaped by environment variables.
--   BENCH_BODY    JSON body (sent with Content-Type: application/json); empty = no body
--   BENCH_PREFER  value of a Prefer header (Prism picks its answer from it); empty = none
--   BENCH_TOKEN   bearer token (the spec requires bearerAuth; Prism answers 401 without it)
-- done() prints one line "BENCH {json}" that run.py parses.

wrk.method = "POST"

local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "bench-token")

local prefer = os.getenv("BENCH_PREFER")
if prefer ~= nil and prefer ~= "" then
  wrk.headers["Prefer"] = prefer
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"non_2xx_3xx":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
