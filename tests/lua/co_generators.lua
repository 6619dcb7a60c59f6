-- Generators, producer/consumer, permutations, pipelines
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local acc = {}
for i in range(5) do acc[#acc + 1] = i end
print(1, table.concat(acc, " "))
-- producer / consumer
local function producer(items)
  return coroutine.create(function()
    for _, it in ipairs(items) do coroutine.yield(it) end
    return nil
  end)
end
local function consumer(prod)
  local out = {}
  while true do
    local ok, v = coroutine.resume(prod)
    if not v then break end
    out[#out + 1] = v:rep(2)
  end
  return table.concat(out, ",")
end
print(2, consumer(producer({"a", "b", "c"})))
-- filter pipeline
local function filter(pred, gen)
  return coroutine.wrap(function()
    for v in gen do if pred(v) then coroutine.yield(v) end end
  end)
end
local function map(f, gen)
  return coroutine.wrap(function()
    for v in gen do coroutine.yield(f(v)) end
  end)
end
acc = {}
for v in map(function(x) return x * x end, filter(function(x) return x % 2 == 1 end, range(10))) do acc[#acc + 1] = v end
print(3, table.concat(acc, " "))
-- permutations generator (PiL)
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a)
  else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local function permutations(a)
  return coroutine.wrap(function() permgen(a) end)
end
acc = {}
for p in permutations({1, 2, 3}) do acc[#acc + 1] = table.concat(p) end
print(4, table.concat(acc, " "))
local count = 0
for _ in permutations({1, 2, 3, 4, 5, 6}) do count = count + 1 end
print(5, count)
-- fibonacci generator
local function fibgen()
  return coroutine.wrap(function()
    local a, b = 0, 1
    while true do coroutine.yield(a); a, b = b, a + b end
  end)
end
local g = fibgen()
acc = {}
for i = 1, 15 do acc[i] = g() end
print(6, table.concat(acc, " "))
-- tree walk with coroutines
local tree = {v = 4, l = {v = 2, l = {v = 1}, r = {v = 3}}, r = {v = 6, l = {v = 5}, r = {v = 7}}}
local function walk(t)
  if t then walk(t.l); coroutine.yield(t.v); walk(t.r) end
end
acc = {}
for v in coroutine.wrap(function() walk(tree) end) do acc[#acc + 1] = v end
print(7, table.concat(acc, " "))
-- many yields (stress)
local co = coroutine.wrap(function() local s = 0 for i = 1, 100000 do s = s + coroutine.yield(i) end return s end)
local v = co()
local total = 0
while true do
  local nxt = co(1)
  if nxt == 100000 then total = co(1) break end
end
print(8, total)
-- round-robin scheduler
local tasks, order = {}, {}
for id = 1, 3 do
  tasks[#tasks + 1] = coroutine.create(function()
    for step = 1, id do order[#order + 1] = id .. "." .. step; coroutine.yield() end
  end)
end
while #tasks > 0 do
  for i = #tasks, 1, -1 do
    coroutine.resume(tasks[i])
    if coroutine.status(tasks[i]) == "dead" then table.remove(tasks, i) end
  end
end
print(9, table.concat(order, " "))
-- same-fringe with two generators
local function leaves(t)
  return coroutine.wrap(function()
    local function rec(n) if type(n) == "table" then for _, c in ipairs(n) do rec(c) end else coroutine.yield(n) end end
    rec(t)
  end)
end
local function samefringe(t1, t2)
  local g1, g2 = leaves(t1), leaves(t2)
  while true do
    local a, b = g1(), g2()
    if a ~= b then return false end
    if a == nil then return true end
  end
end
print(10, samefringe({1, {2, 3}, {{4}}}, {{1, 2}, 3, 4}), samefringe({1, 2}, {1, {3}}))
