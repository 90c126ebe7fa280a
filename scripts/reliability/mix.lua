-- wrk script: POSTs a fixed mix of chat requests (one, four and five hops deep at alpha 0) and counts, per thread,
-- the statuses and the answers marked X-DiSRouter-Degraded; done() prints the totals.
local bodies = {
  '{"alpha":0.0,"messages":[{"role":"user","content":"What is 12+7?"}]}',
  '{"alpha":0.0,"messages":[{"role":"user","content":"Spell cat backwards."}]}',
  '{"alpha":0.0,"messages":[{"role":"user","content":"What is 1234+5678?"}]}',
}
local threads = {}
local i = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  degraded = 0
end

-- think time per connection (DELAY_MS): with C connections the rate stays below C * 1000 / DELAY_MS requests/s, so a
-- run can stay under the key's rate limit (20 requests/s, burst 40) instead of measuring 429s
local think = tonumber(os.getenv("DELAY_MS") or "0")
function delay()
  return think
end

function request()
  i = i + 1
  return wrk.format("POST", "/v1/chat/completions", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("DISROUTER_API_KEY") or "disrouter-local"),
  }, bodies[(i % #bodies) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-DiSRouter-Degraded"] then degraded = degraded + 1 end
end

function done(summary, latency, requests)
  local total, marked = {}, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
    marked = marked + t:get("degraded")
  end
  for s, n in pairs(total) do io.write(string.format("status %d: %d\n", s, n)) end
  io.write(string.format("degraded answers: %d\n", marked))
  io.write(string.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.2f requests/s\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
