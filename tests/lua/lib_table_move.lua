-- table.move: overlapping ranges, other tables, errors
local function show(t, n) local s = {} for i = 1, n do s[i] = tostring(t[i]) end return table.concat(s, " ") end
local a = {1, 2, 3, 4, 5}
print(1, show(table.move(a, 2, 4, 1), 5))
a = {1, 2, 3, 4, 5}
print(2, show(table.move(a, 1, 3, 3), 5))
a = {1, 2, 3, 4, 5}
print(3, show(table.move(a, 1, 5, 1), 5))
local b = {}
print(4, table.move({10, 20, 30}, 1, 3, 2, b) == b, show(b, 4))
print(5, show(table.move({1, 2, 3}, 3, 1, 1), 3))
print(6, pcall(table.move, {}, 1, math.maxinteger, 2))
print(7, pcall(table.move, {}, -1, math.maxinteger, 2))
print(8, pcall(table.move, {1, 2}, 1, 2, math.maxinteger))
print(9, pcall(table.move, {1}, 1, 1))
print(10, pcall(table.move, nil, 1, 1, 1))
print(11, pcall(table.move, {1}, 1, 1, 1, 5))
print(12, show(table.move({1, 2, 3}, 1, 3, -1), 3), table.move({1, 2, 3}, 1, 3, -1)[0])
local log = {}
local src = setmetatable({}, {__index = function(_, k) log[#log + 1] = "get" .. k return k * 10 end})
local dst = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = "set" .. k .. "=" .. v rawset(t, k, v) end})
table.move(src, 1, 3, 5, dst)
print(13, table.concat(log, " "))
log = {}
local both = setmetatable({}, {__index = function(_, k) log[#log + 1] = "g" .. k return k end,
  __newindex = function(t, k, v) log[#log + 1] = "s" .. k rawset(t, k, v) end})
table.move(both, 1, 3, 2)
print(14, table.concat(log, " "))
print(15, pcall(table.move, {}, 1, 2, 3, 7))
print(16, table.move({}, 5, 1, 1) ~= nil)
print(17, pcall(table.move, {}, 1.5, 2, 1))
print(18, pcall(table.move, {}, math.mininteger, -1, 1))
print(19, show(table.move({1, 2, 3, 4, 5, 6}, 2, 6, 1), 6))
