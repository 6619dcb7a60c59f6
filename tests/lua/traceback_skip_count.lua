-- luaL_traceback cuts only tracebacks of more than 22 levels, and the
-- "(skipping N levels)" count it prints is one less than the number of
-- levels actually left out. Uncaught errors end with such a traceback.

local function down(n, f)
  if n == 0 then return f() end
  return (down(n - 1, f))
end

for _, n in ipairs{17, 18, 19, 20, 21, 22, 30} do
  down(n, function()
    local tb = debug.traceback("depth " .. n, 1)
    local lines = select(2, tb:gsub("\n", "\n")) + 1
    print(n, lines, tb:match("skipping %d+ levels") or "no skip")
  end)
end

local co = coroutine.create(function()
  down(25, coroutine.yield)
end)
coroutine.resume(co)
print(debug.traceback(co))

down(40, function() error("deep error") end)
