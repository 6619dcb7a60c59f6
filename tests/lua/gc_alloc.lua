-- Allocation-heavy loops: the collector must keep up
local s = 0
for i = 1, 1000000 do
  local t = {i, i + 1}
  s = s + t[2] - t[1]
end
print(1, s)
local n = 0
for i = 1, 300000 do
  local str = "k" .. i
  n = n + #str
end
print(2, n)
-- closures in a loop
local total = 0
for i = 1, 300000 do
  local f = function() return i end
  total = total + f()
end
print(3, total)
-- growing and discarding big tables repeatedly
local last
for round = 1, 20 do
  local big = {}
  for i = 1, 20000 do big[i] = {round, i} end
  last = big[20000][1] + big[1][2]
end
print(4, last)
-- string building with table.concat in a loop
local len = 0
for round = 1, 200 do
  local parts = {}
  for i = 1, 200 do parts[i] = string.rep("x", i % 7) end
  len = len + #table.concat(parts)
end
print(5, len)
-- coroutines created and discarded
local cs = 0
for i = 1, 20000 do
  local co = coroutine.wrap(function(a) local b = coroutine.yield(a * 2) return a + b end)
  cs = cs + co(i) + co(1)
end
print(6, cs)
-- memory stays bounded: after a full collection usage is small
collectgarbage()
print(7, collectgarbage("count") < 10000)
-- cyclic structures are collected
for i = 1, 100000 do
  local a, b = {}, {}
  a.other, b.other = b, a
end
collectgarbage()
print(8, collectgarbage("count") < 10000)
-- tables with metatables
local mt = {__index = function(t, k) return k * 2 end}
local acc = 0
for i = 1, 200000 do acc = acc + setmetatable({}, mt)[i % 10] end
print(9, acc)
