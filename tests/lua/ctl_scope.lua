-- Block scoping, shadowing, globals vs locals, _ENV tricks
x = "global x"
local x = "local x"
print(1, x, _G.x, _ENV.x)
do
  local x = "inner x"
  print(2, x)
  do
    local x = x .. " (shadowed again)"
    print(3, x)
  end
  print(4, x)
end
print(5, x)
-- a local declared in a loop body is fresh each iteration
for i = 1, 2 do
  local v
  print(6, i, v)
  v = i
end
-- function parameters shadow outer locals
local p = "outer"
local function f(p) return p end
print(7, f("param"), p)
-- local function is visible inside itself; local f = function is not
local function fact(n) return n <= 1 and 1 or n * fact(n - 1) end
print(8, fact(5))
local g = function(n) return n end
local ok = pcall(function()
  local h = function(n) if n > 0 then return h(n - 1) end return 0 end
  return h(1)
end)
print(9, ok)
-- globals are fields of _ENV; a local _ENV redirects global access
do
  local _ENV = {print = print, tostring = tostring}
  y = 10
  print(10, y, tostring(x))
end
print(11, y, rawget(_G, "y"))
local function withEnv()
  local _ENV = setmetatable({}, {__index = _G})
  z = "in custom env"
  return z, _G.z
end
print(12, withEnv())
-- _ENV as a function parameter
local function sandbox(_ENV) return a + b end
print(13, sandbox({a = 1, b = 2}))
-- assigning to an undeclared name creates a global
local function setGlobal() newGlobal = "created" end
setGlobal()
print(14, newGlobal, _G.newGlobal)
-- nil globals read as nil
print(15, doesNotExist, _G.doesNotExist)
-- many locals (close to the 200 limit is tested elsewhere); 100 locals here
local l1,l2,l3,l4,l5,l6,l7,l8,l9,l10 = 1,2,3,4,5,6,7,8,9,10
local m1,m2,m3,m4,m5,m6,m7,m8,m9,m10 = 11,12,13,14,15,16,17,18,19,20
print(16, l1 + l10 + m1 + m10)
-- repeat-until scope sees the body's locals
local n = 0
repeat local done = n >= 2; n = n + 1 until done
print(17, n)
-- locals after goto labels
do
  local cnt = 0
  ::again::
  local tmp = cnt * 2
  cnt = cnt + 1
  if cnt < 3 then goto again end
  print(18, cnt, tmp)
end
