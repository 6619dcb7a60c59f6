-- Numeric for loops
local function collect(a, b, c)
  local t = {}
  if c then
    for i = a, b, c do t[#t + 1] = tostring(i) end
  else
    for i = a, b do t[#t + 1] = tostring(i) end
  end
  return table.concat(t, " ")
end
print(1, collect(1, 5))
print(2, collect(5, 1))
print(3, collect(5, 1, -1))
print(4, collect(1, 10, 3))
print(5, collect(10, 1, -4))
print(6, collect(1, 2, 0.5))
print(7, collect(1.0, 3))
print(8, collect(1, 3.5))
print(9, collect(0.1, 0.5, 0.1))
print(10, collect(3, 3))
print(11, collect(1, 0))
print(12, pcall(collect, 1, 10, 0))
print(13, pcall(collect, 1, 10, 0.0))
print(14, pcall(collect, "1", 2))
print(15, pcall(collect, 1, "x"))
print(16, pcall(collect, 1, 2, {}))
print(17, pcall(collect, nil, 2))
-- near maxinteger / mininteger: must not overflow or loop forever
local maxi, mini = math.maxinteger, math.mininteger
print(18, collect(maxi - 2, maxi))
print(19, collect(mini, mini + 2))
print(20, collect(mini + 2, mini, -1))
print(21, collect(maxi - 1, maxi, 10))
print(22, collect(mini, mini + 1, -1))
print(23, collect(maxi, maxi))
print(24, collect(1, maxi, maxi))
print(25, collect(0, mini, mini))
print(26, collect(mini, maxi, maxi))
-- float limits with integer loop
print(27, collect(1, 3.9))
print(28, collect(3, 1.1, -1))
print(29, collect(maxi - 1, 1e100))
print(30, collect(1, -math.huge))
print(31, collect(mini, -1e100))
local cnt = 0
for i = maxi - 5, math.huge do cnt = cnt + 1 end
print(32, cnt)
cnt = 0
for i = 1, 0.5 do cnt = cnt + 1 end
print(33, cnt)
-- loop variable is a fresh copy: assigning it does not change the iteration
local t = {}
for i = 1, 5 do
  t[#t + 1] = i
  i = i * 10
end
print(34, table.concat(t, " "))
-- closures capture a per-iteration variable
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(35, fs[1](), fs[2](), fs[3]())
-- types of the control variable
local types = {}
for i = 1, 2 do types[#types + 1] = math.type(i) end
for i = 1.0, 2 do types[#types + 1] = math.type(i) end
for i = 1, 2, 1.0 do types[#types + 1] = math.type(i) end
print(36, table.concat(types, " "))
-- limits evaluated once
local lim = 3
cnt = 0
for i = 1, lim do lim = 10; cnt = cnt + 1 end
print(37, cnt)
-- float accumulation
local acc = 0
for x = 0, 1, 0.25 do acc = acc + x end
print(38, acc)
-- nested loops
local total = 0
for a = 1, 10 do for b = a, 10 do total = total + a * b end end
print(39, total)
-- large iteration count
local big = 0
for i = 1, 1000000 do big = big + (i & 1) end
print(40, big)
-- negative float step
print(41, collect(1, 0, -0.25))
print(42, collect(-1, -3, -1))
print(43, collect(3, 1, -1.5))
