-- wrk script for bench/load.sh: POST /api/v1/reports (the public JSON
-- intake) with a body unique to the run, the wrk thread and the request,
-- and a reporter address, so each report queues an acknowledgement mail.
-- Usage: wrk ... -s bench/intake.lua URL -- RUN_TAG

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

local tag = "run"
local counter = 0

function init(args)
  tag = args[1] or tag
end

wrk.method = "POST"
wrk.path = "/api/v1/reports"
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  local n = string.format("%s-%d-%d", tag, thread_no, counter)
  local body = string.format(
    '{"title":"Heap overflow in the header parser (%s)",' ..
    '"description":"A header longer than 4096 bytes overflows a stack buffer in parse_header(); ' ..
    'found by fuzzing, reproducer attached in the thread. Case %s.",' ..
    '"affected_versions":"1.2-1.4","unaffected_versions":"1.1",' ..
    '"reporter_email":"reporter-%s@example.net","credit_consent":true}',
    n, n, n)
  return wrk.format(nil, nil, nil, body)
end

-- One machine-readable line for the script; latencies in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d socket_errors=%d non_2xx=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), latency.max))
end
