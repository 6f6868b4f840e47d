-- wrk script for bench/soak.py: request.lua's POST, plus every answer's task_id written to
-- the file $BENCH_IDS.<thread number>, one per line, in the order this thread received them.
dofile(os.getenv("BENCH_DIR") .. "/request.lua")

local count = 0
setup = function(thread)
  count = count + 1
  thread:set("thread_number", count)
end

init = function(args)
  ids = io.open(os.getenv("BENCH_IDS") .. "." .. thread_number, "w")
  ids:setvbuf("line")  -- wrk ends without closing Lua's files: nothing may stay buffered
end

response = function(status, headers, body)
  local id = body:match('"task_id":%s*(%d+)')
  ids:write(id or ("none " .. status), "\n")
end
