-- wrk script for the submission benchmark: each request is a new browser's answer (no cookie)
-- with a comment unique to it ("bench-<thread>-<n>"), so duplicates can be counted in the
-- database afterwards. Prints one JSON line with the summary.
local threads = {}
local counter = 0
prefix = "0"  -- set per thread by setup() (a global of the thread's Lua state)

function setup(thread)
  thread:set("prefix", tostring(#threads + 1))
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = "score=9&lang=da&q-reason=bench-" .. prefix .. "-" .. counter
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "socket_errors": %d, "status_errors": %d, "seconds": %.2f, "p50_s": %.4f, "p99_s": %.4f}\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, summary.duration / 1e6,
    latency:percentile(50) / 1e6, latency:percentile(99) / 1e6))
end
