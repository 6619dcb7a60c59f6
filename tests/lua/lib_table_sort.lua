-- table.sort: default order, comparators, strings, stability-independent checks
local function show(t) return table.concat(t, " ") end
local function issorted(t, f)
  f = f or function(a, b) return a < b end
  for i = 2, #t do if f(t[i], t[i - 1]) then return false end end
  return true
end
local t = {5, 2, 8, 1, 9, 3, 7, 4, 6, 0}
table.sort(t) print(1, show(t))
table.sort(t, function(a, b) return a > b end) print(2, show(t))
local s = {"pear", "apple", "fig", "banana", "Apple", "", "fig2"}
table.sort(s) print(3, show(s))
local m = {3, 1.5, -2, 2^40, -0.5, 7, 1}
table.sort(m) print(4, show(m))
table.sort({}) table.sort({1}) print(5, "trivial ok")
local two = {2, 1} table.sort(two) print(6, show(two))
local three = {3, 1, 2} table.sort(three) print(7, show(three))
-- a deterministic pseudo-random permutation
local x = 12345
local function rnd() x = (x * 1103515245 + 12345) % 2147483648 return x end
local big = {}
for i = 1, 1000 do big[i] = rnd() % 500 end
table.sort(big) print(8, issorted(big), big[1], big[500], big[1000])
table.sort(big, function(a, b) return a > b end) print(9, issorted(big, function(a, b) return a > b end), big[1])
-- already sorted, reverse sorted and constant arrays
local asc, desc, same = {}, {}, {}
for i = 1, 300 do asc[i] = i desc[i] = 301 - i same[i] = 7 end
table.sort(asc) table.sort(desc) table.sort(same)
print(10, issorted(asc), issorted(desc), issorted(same), desc[1], desc[300])
-- records by key
local recs = {}
for i = 1, 20 do recs[i] = {k = (i * 7) % 11, id = i} end
table.sort(recs, function(a, b) if a.k ~= b.k then return a.k < b.k end return a.id < b.id end)
local out = {}
for i = 1, 20 do out[i] = recs[i].k .. ":" .. recs[i].id end
print(11, table.concat(out, " "))
-- count comparisons on a fixed input (same algorithm as lua5.4)
local calls = 0
local c = {9, 4, 7, 1, 8, 2, 6, 3, 5, 0, 11, 15, 13, 12, 14, 10}
table.sort(c, function(a, b) calls = calls + 1 return a < b end)
print(12, show(c), calls)
calls = 0
local d = {}
for i = 1, 200 do d[i] = (i * 37) % 101 end
table.sort(d, function(a, b) calls = calls + 1 return a < b end)
print(13, issorted(d), calls)
-- sort with __lt metamethod
local mt = {__lt = function(a, b) return a.v < b.v end}
local objs = {}
for i, v in ipairs({5, 3, 9, 1}) do objs[i] = setmetatable({v = v}, mt) end
table.sort(objs)
print(14, objs[1].v, objs[2].v, objs[3].v, objs[4].v)
-- sort a proxy with __index/__newindex/__len
local store = {4, 2, 3, 1}
local proxy = setmetatable({}, {__index = store, __newindex = store, __len = function() return #store end})
table.sort(proxy)
print(15, show(store))
