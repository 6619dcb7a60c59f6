-- coroutine.wrap error propagation: positions are prepended for string errors
local gen = coroutine.wrap(function() coroutine.yield(1) end)
gen()
gen()
print(1, pcall(function() return gen() end))
local w = coroutine.wrap(function() error("plain", 0) end)
print(2, pcall(function() return w() end))
local w2 = coroutine.wrap(function() error("with pos") end)
print(3, pcall(function() return w2() end))
local w3 = coroutine.wrap(function() error(setmetatable({}, {__tostring = function() return "obj" end})) end)
local ok, e = pcall(function() return w3() end)
print(4, ok, type(e), tostring(e))
local w4 = coroutine.wrap(function() error(12) end)
print(5, pcall(function() return w4() end))
-- wrap inside wrap
local outer = coroutine.wrap(function()
  local inner = coroutine.wrap(function() error("inner failure", 0) end)
  inner()
end)
print(6, pcall(outer))
-- resume returns, wrap raises
local co = coroutine.create(function() error("E", 0) end)
print(7, coroutine.resume(co))
-- status of a coroutine that yielded from inside a nested call
local c2 = coroutine.create(function() local function deep() coroutine.yield("y") end deep() return "r" end)
print(8, coroutine.resume(c2))
print(9, coroutine.status(c2), coroutine.resume(c2), coroutine.status(c2))
-- isyieldable inside pcall inside coroutine
local c3 = coroutine.create(function() return pcall(coroutine.isyieldable) end)
print(10, coroutine.resume(c3))
-- coroutine.running inside wrap
local w5 = coroutine.wrap(function() local co5, ismain = coroutine.running(); return type(co5), ismain end)
print(11, w5())
-- passing many values through yield/resume
local c4 = coroutine.create(function(...)
  local n = select("#", ...)
  local function pack(...) return {n = select("#", ...), ...} end
  local back = pack(coroutine.yield(n, ...))
  return back.n, table.unpack(back, 1, back.n)
end)
print(12, coroutine.resume(c4, 1, nil, 3))
print(13, coroutine.resume(c4, nil, nil))
-- a coroutine that yields inside a for loop and is abandoned (never finished)
local c5 = coroutine.wrap(function() for i = 1, math.huge do coroutine.yield(i) end end)
print(14, c5(), c5(), c5())
-- coroutine.close on a suspended wrap is not possible (wrap hides the thread); status via create
local c6 = coroutine.create(function() coroutine.yield() end)
coroutine.resume(c6)
print(15, coroutine.close(c6), coroutine.status(c6))
