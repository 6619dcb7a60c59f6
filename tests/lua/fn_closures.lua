-- Closures and upvalues
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
print(1, c1(), c1(), c1(), c2(), c2())
-- two closures sharing one upvalue
local function shared()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  return get, set
end
local get, set = shared()
set(42)
print(2, get())
set("changed")
print(3, get())
-- upvalue captured after the enclosing function returned
local function mk()
  local t = {}
  for i = 1, 3 do t[i] = function() return i end end
  return t
end
local fs = mk()
print(4, fs[1](), fs[2](), fs[3]())
-- fresh local per while-iteration
local ws = {}
local j = 0
while j < 3 do
  j = j + 1
  local k = j * 10
  ws[j] = function() k = k + 1; return k end
end
print(5, ws[1](), ws[1](), ws[2](), ws[3]())
-- loop variable closures in generic for
local gs = {}
for idx, val in ipairs({"a", "b", "c"}) do gs[idx] = function() return idx .. val end end
print(6, gs[1](), gs[2](), gs[3]())
-- upvalue of upvalue (nested 3 levels)
local function l1()
  local x = 1
  return function()
    local y = 10
    return function()
      x = x + 1; y = y + 1
      return x + y
    end
  end
end
local l2 = l1()
local l3a, l3b = l2(), l2()
print(7, l3a(), l3a(), l3b(), l3a())
-- modifying a local after creating the closure is visible
local late = 1
local function seeLate() return late end
late = 2
print(8, seeLate())
-- closures in recursion (each activation has its own locals)
local function build(n, acc)
  acc = acc or {}
  if n == 0 then return acc end
  local mine = n
  acc[#acc + 1] = function() return mine end
  return build(n - 1, acc)
end
local bs = build(4)
print(9, bs[1](), bs[2](), bs[3](), bs[4]())
-- parameters are upvalues too
local function adder(a) return function(b) a = a + b; return a end end
local ad = adder(100)
print(10, ad(1), ad(10), ad(100))
-- closure over a loop variable that is also modified inside the body
local mods = {}
for i = 1, 3 do
  local copy = i
  mods[i] = function() copy = copy * 2; return copy end
end
print(11, mods[1](), mods[1](), mods[3]())
-- memoization
local function memo(f)
  local cache = {}
  return function(n)
    local v = cache[n]
    if v == nil then v = f(n); cache[n] = v end
    return v
  end
end
local mfib
mfib = memo(function(n) if n < 2 then return n end return mfib(n - 1) + mfib(n - 2) end)
print(12, mfib(80))
-- closures stored in tables and called as functions
local ops = {}
for _, name in ipairs({"a", "b"}) do ops[name] = function() return "op " .. name end end
print(13, ops.a(), ops.b())
-- many upvalues
local u1, u2, u3, u4, u5, u6, u7, u8, u9, u10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
local function many() return u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9 + u10 end
u10 = 100
print(14, many())
-- closures created in a loop and closed on break
local saved
for i = 1, 10 do
  local v = i * i
  saved = function() return v end
  if i == 4 then break end
end
print(15, saved())
-- upvalues in repeat-until condition
local cnt = 0
local fnlist = {}
repeat
  local z = cnt
  fnlist[#fnlist + 1] = function() return z end
  cnt = cnt + 1
until z >= 2
print(16, #fnlist, fnlist[1](), fnlist[3]())
-- identity: each closure creation makes a new function value
local function mkf() return function() end end
local mf = mkf()
print(17, mf == mf, type(mkf()))
-- recursion via upvalue
local function outer()
  local function inner(n) if n == 0 then return "done" end return inner(n - 1) end
  return inner(5)
end
print(18, outer())
