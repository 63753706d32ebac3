-- Appended by bench/lib/wrk.ts to a generated prelude that sets wrk.method, wrk.body,
-- wrk.headers and `expect` (a substring every 2xx body must contain, or nil).
-- Counts responses by status per thread and prints one JSON line when wrk is done.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  unexpected = 0
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if expect ~= nil and status >= 200 and status < 300 then
    if body == nil or not string.find(body, expect, 1, true) then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local status = {}
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for key, value in pairs(counts) do
      status[key] = (status[key] or 0) + value
    end
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local parts = {}
  for key, value in pairs(status) do
    table.insert(parts, string.format('"%s":%d', key, value))
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"unexpected_body":%d,"statuses":{%s},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    unexpected_total, table.concat(parts, ","),
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
