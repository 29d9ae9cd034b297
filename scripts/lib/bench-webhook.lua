-- wrk script for `scripts/bench webhook`: POSTs pre-signed WhatsApp webhook bodies, each once.
--
--   wrk -t2 ... -s scripts/lib/bench-webhook.lua URL -- BODIES FIRST LAST THREADS
--
-- BODIES holds `signature<TAB>body` lines (written by `adsapp bench-webhook --prepare`). The run
-- uses lines FIRST..LAST-1 (0-based); thread n of THREADS takes every THREADS-th of them, so no
-- body is sent twice unless they run out: then the thread starts again and `done` says so.

local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    local path, first, last, count = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
    assert(path and first and last and count, "usage: -- BODIES FIRST LAST THREADS")
    requests = {}
    local index = 0
    for line in io.lines(path) do
        if index >= last then break end
        if index >= first and (index - first) % count == id then
            local tab = line:find("\t", 1, true)
            requests[#requests + 1] = wrk.format("POST", nil, {
                ["Content-Type"] = "application/json",
                ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
            }, line:sub(tab + 1))
        end
        index = index + 1
    end
    assert(#requests > 0, "no bodies for this thread in " .. path)
    nextRequest = 1
    reused = 0
end

function request()
    local r = requests[nextRequest]
    nextRequest = nextRequest + 1
    if nextRequest > #requests then
        nextRequest = 1
        reused = reused + 1
    end
    return r
end

function done(summary, latency, requests)
    local total = 0
    for _, thread in ipairs(threads) do
        total = total + (thread:get("reused") or 0)
    end
    if total > 0 then
        io.write(string.format("WARNING: bodies ran out and were sent again (%d times)\n", total))
    end
end
