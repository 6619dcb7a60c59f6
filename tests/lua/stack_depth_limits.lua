-- Depths at which recursion hits "stack overflow" and nested protected
-- calls hit "C stack overflow" match lua5.4 exactly, also after earlier
-- overflows were caught, and pcall boundaries left in suspended coroutines
-- do not count against the running one.

local depth = 0
local function plain() depth = depth + 1; plain() end
local function onearg(n) depth = depth + 1; return onearg(n + 1) + 1 end
local function vararg(...) depth = depth + 1; vararg(...) end
local function sixargs(a, b, c, d, e, f)
  depth = depth + 1
  local x, y, z = 1, 2, 3
  sixargs(a, b, c, d, e, f)
end
local function fixedvar(a, ...) depth = depth + 1; fixedvar(a, ...) end

local function measure(name, f, ...)
  depth = 0
  local ok, err = pcall(f, ...)
  print(name, ok, err, depth)
end

-- Each twice: a caught overflow must not leave the stack larger.
measure("plain", plain)
measure("plain again", plain)
measure("onearg", onearg, 1)
measure("onearg again", onearg, 1)
measure("vararg", vararg, 1, 2, 3)
measure("sixargs", sixargs)
measure("fixedvar", fixedvar, 1, 2)
depth = 0
print("xpcall", xpcall(plain, function(m) return "handled " .. m end))
print("xpcall depth", depth)

-- Overflow inside a coroutine.
local co = coroutine.create(function() depth = 0; plain() end)
print("coroutine", coroutine.resume(co))
print("coroutine depth", depth)

-- Nested pcall: each is a C level.
local function nest() depth = depth + 1; return pcall(nest) end
depth = 0
print("nested pcall", nest())
print("nested pcall depth", depth)

-- Nested metamethod calls.
local t = setmetatable({}, {__index = function(t, k) depth = depth + 1; return t[k] end})
depth = 0
print("__index chain", pcall(function() return t.x end))
print("__index chain depth", depth)

-- Many finished protected calls (Lua and native callees, errors or not)
-- leave no C level behind.
for i = 1, 1000 do
  pcall(string.rep, "x", 2)
  pcall(error, i)
  pcall(function() return i end)
  xpcall(error, function(m) return m end, i)
  xpcall(string.len, print, "abc")
end
-- Coroutines suspended inside pcall, resumed or abandoned.
local gens = {}
for i = 1, 300 do
  local g = coroutine.wrap(function()
    pcall(function() coroutine.yield(i) coroutine.yield(i + 1) end)
  end)
  g()
  if i % 2 == 0 then g() end
  gens[i] = g
end
depth = 0
print("nested pcall after", nest())
print("nested pcall depth after", depth)
