-- wrk script: GET a random path of a file (one a line), with a cookie, recording nothing else.
-- Usage: wrk ... -s scripts/lib/bench-paths.lua URL -- PATHS_FILE COOKIE_FILE
local paths = {}
local cookie = ""

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local file = io.open(args[2])
  cookie = file:read("*l")
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], { ["Cookie"] = cookie, ["Accept"] = "application/json, text/html" })
end
