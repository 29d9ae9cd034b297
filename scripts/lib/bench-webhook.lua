-- wrk script for `scripts/bench webhook`: POSTs pre-signed WhatsApp webhook bodies, each once.
--
--   wrk -t2 ... -s scripts/lib/bench-webhook.lua URL -- BODIES FIRST LAST THREADS [RATE]
--
-- BODIES holds `signature<TAB>body` lines (written by `adsapp-bench webhook --prepare`). The run
-- uses lines FIRST..LAST-1 (0-based); thread n of THREADS takes every THREADS-th of them, so no
-- body is sent twice unless they run out: then the thread starts again and `done` says so.
--
-- RATE (requests/s over all threads, default 0 = as fast as the connections allow) paces the
-- sends: each thread sends on a fixed schedule whatever the answers, as Meta does, so the
-- latency measured is that of a server offered exactly this load. A send falls behind its slot
-- only when every connection of the thread is still waiting; the achieved rate then shows it.

local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

local ffi = require("ffi")
ffi.cdef [[
    typedef struct { long tv_sec; long tv_usec; } bench_timeval;
    int gettimeofday(bench_timeval *tv, void *tz);
]]
local clock = ffi.new("bench_timeval")

local function now_ms()
    ffi.C.gettimeofday(clock, nil)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
end

function init(args)
    local path, first, last, count = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
    assert(path and first and last and count, "usage: -- BODIES FIRST LAST THREADS [RATE]")
    local rate = tonumber(args[5] or "0")
    interval = rate > 0 and count * 1000 / rate or 0
    nextSlot = nil
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

-- Milliseconds until this thread's next slot; 0 when unpaced.
function delay()
    if interval == 0 then return 0 end
    local now = now_ms()
    nextSlot = nextSlot or now
    local slot = nextSlot
    nextSlot = nextSlot + interval
    return math.max(0, slot - now)
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
