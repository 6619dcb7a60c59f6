-- "attempt to yield from outside a coroutine" / "across a C-call boundary"
-- carry no position (lua_yieldk raises them from the C function itself).
print(pcall(function() coroutine.yield() end))
print(pcall(function() local x = coroutine.yield(1) return x end))
print(pcall(coroutine.yield))
local t = setmetatable({}, {__index = function() return coroutine.yield() end})
print(pcall(function() return t.x end))
print(coroutine.wrap(function() print(pcall(string.gsub, "a", "a", coroutine.yield)) end)())
print(coroutine.wrap(function() return pcall(table.sort, {3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end)())
local function f() coroutine.yield() end
f()
