-- Coroutines: resume/yield value passing, status, wrap, isyieldable, running
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "done", d + e
end)
print(1, type(co), coroutine.status(co))
print(2, coroutine.resume(co, 1, 2))
print(3, coroutine.status(co))
print(4, coroutine.resume(co, 10))
print(5, coroutine.resume(co, 3, 4))
print(6, coroutine.status(co))
print(7, coroutine.resume(co))
print(8, coroutine.resume(co, "again"))
-- yield with no values, resume with no values
local co2 = coroutine.create(function(...)
  local n = select("#", ...)
  local r = {coroutine.yield()}
  return n, #r
end)
print(9, coroutine.resume(co2, nil, nil))
print(10, coroutine.resume(co2))
-- status "running" and "normal"
local outerCo
local inner = coroutine.create(function()
  return coroutine.status(outerCo), coroutine.status(coroutine.running())
end)
outerCo = coroutine.create(function()
  local ok, s1, s2 = coroutine.resume(inner)
  return s1, s2, coroutine.status(outerCo)
end)
print(11, coroutine.resume(outerCo))
-- running / isyieldable in main and inside a coroutine (booleans only)
local mainCo, isMain = coroutine.running()
print(12, type(mainCo), isMain, coroutine.isyieldable())
local co3
co3 = coroutine.create(function()
  local c, m = coroutine.running()
  return type(c), m, coroutine.isyieldable(), c == co3
end)
print(13, coroutine.resume(co3))
-- wrap
local gen = coroutine.wrap(function(n)
  for i = 1, n do coroutine.yield(i) end
  return "end"
end)
print(14, gen(3), gen(), gen(), gen())
print(15, pcall(gen))
-- yield from nested function calls inside the coroutine
local function deep(n) if n == 0 then return coroutine.yield("deep") end return deep(n - 1) end
local co4 = coroutine.create(function() return "result", deep(10) end)
print(16, coroutine.resume(co4))
print(17, coroutine.resume(co4, "sent"))
-- yield outside a coroutine
print(18, pcall(coroutine.yield, 1))
-- resume non-suspended coroutine (running)
local co5
co5 = coroutine.create(function() return coroutine.resume(co5) end)
print(19, coroutine.resume(co5))
-- resume a normal coroutine
local a, b
a = coroutine.create(function() return coroutine.resume(b) end)
b = coroutine.create(function() return coroutine.resume(a) end)
print(20, coroutine.resume(a))
-- errors in coroutine are returned by resume, coroutine becomes dead
local co6 = coroutine.create(function() local x = nil; return x.y end)
print(21, coroutine.resume(co6))
print(22, coroutine.status(co6), coroutine.resume(co6))
local co7 = coroutine.create(function() error({code = 5}) end)
local ok, e = coroutine.resume(co7)
print(23, ok, type(e), e.code)
-- argument checks
print(24, pcall(coroutine.create, 1))
print(25, pcall(coroutine.resume, 1))
print(26, pcall(coroutine.status, nil))
-- many coroutines alive at once
local cos = {}
for i = 1, 100 do cos[i] = coroutine.create(function(x) local y = coroutine.yield(x * 2); return x + y end) end
local s = 0
for i = 1, 100 do local _, v = coroutine.resume(cos[i], i); s = s + v end
for i = 1, 100 do local _, v = coroutine.resume(cos[i], 1); s = s + v end
print(27, s)
-- coroutine.wrap with multiple values
local w = coroutine.wrap(function(...) local x, y = coroutine.yield(...) return x, y end)
print(28, w(1, 2, 3))
print(29, w("a", "b"))
-- table.unpack of yielded values
local co8 = coroutine.create(function() coroutine.yield(table.unpack({1, 2, 3, 4, 5})) end)
print(30, coroutine.resume(co8))
