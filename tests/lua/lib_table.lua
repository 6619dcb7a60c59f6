-- table.pack / table.move / table.unpack / concat edge cases
local p = table.pack(1, nil, 3, nil)
print(1, p.n, p[1], p[2], p[3], p[4], #{table.unpack(p, 1, p.n)} >= 0)
print(2, table.pack().n, next(table.pack(), nil))
local a = {1, 2, 3, 4, 5}
table.move(a, 2, 4, 1)
print(3, table.concat(a, ","))
a = {1, 2, 3, 4, 5}
table.move(a, 1, 3, 3)
print(4, table.concat(a, ","))
local b = table.move({1, 2, 3}, 1, 3, 2, {9})
print(5, table.concat(b, ","))
print(6, #table.move({}, 1, 0, 1, {7}), pcall(table.move, {}, 1, math.maxinteger, 2))
local proxyLog = {}
local proxy = setmetatable({}, {
  __index = function(_, k) proxyLog[#proxyLog + 1] = "get" .. k; return k * 10 end,
  __newindex = function(t, k, v) proxyLog[#proxyLog + 1] = "set" .. k .. "=" .. v; rawset(t, k, v) end,
})
table.move(proxy, 1, 2, 5)
print(7, table.concat(proxyLog, " "))
-- table functions respect __index/__newindex/__len
local lenT = setmetatable({}, {__len = function() return 3 end, __index = function(_, i) return "v" .. i end})
print(8, table.concat(lenT, ","), table.unpack(lenT))
local ins = setmetatable({}, {__len = function() return 2 end})
table.insert(ins, "x")
print(9, rawget(ins, 3))
print(10, table.unpack({1, 2, 3}, -1, 1))
print(11, select("#", table.unpack({}, 1, 0)), pcall(table.unpack, {}, math.mininteger, math.maxinteger))
-- table.remove at n+1 and on empty tables
local r = {1, 2, 3}
print(12, table.remove(r, 4), #r, table.remove(r, #r + 1))
print(13, pcall(table.insert, {}, 0, 1), pcall(table.insert, {}, 2, 1))
-- table.concat with numbers and invalid separators
print(14, table.concat({1, 2.5, -3}, " "), pcall(table.concat, {1}, {}))
-- sort with many equal keys and a consistent comparator
local t = {}
for i = 1, 100 do t[i] = i % 5 end
table.sort(t)
print(15, t[1], t[20], t[21], t[100])
