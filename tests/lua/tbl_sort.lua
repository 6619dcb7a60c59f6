-- table.sort with default and custom comparators
local function j(t) return table.concat(t, " ") end
local t = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}
table.sort(t)
print(1, j(t))
table.sort(t, function(a, b) return a > b end)
print(2, j(t))
t = {"pear", "apple", "fig", "banana", "Cherry", "apple2", ""}
table.sort(t)
print(3, j(t))
t = {3.5, -1, 2, 2.25, -0.5, 10, math.huge, -math.huge}
table.sort(t)
print(4, j(t))
-- sort by field
local people = {
  {name = "ann", age = 31}, {name = "bob", age = 25}, {name = "cid", age = 40},
  {name = "dee", age = 19}, {name = "eve", age = 33},
}
table.sort(people, function(a, b) return a.age < b.age end)
local names = {}
for i, p in ipairs(people) do names[i] = p.name end
print(5, j(names))
-- larger pseudo-random permutation (LCG, deterministic)
local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
t = {}
for i = 1, 1000 do t[i] = rnd(100000) end
table.sort(t)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
print(6, ok, #t, t[1], t[500], t[1000])
-- already sorted, reversed, all equal
t = {}
for i = 1, 500 do t[i] = i end
table.sort(t)
print(7, t[1], t[250], t[500])
table.sort(t, function(a, b) return a > b end)
print(8, t[1], t[250], t[500])
t = {}
for i = 1, 200 do t[i] = 7 end
table.sort(t)
print(9, t[1], t[200], #t)
-- errors
-- (which operand order gets compared first is algorithm-specific)
local ok10, e10 = pcall(table.sort, {3, "a", 1})
print(10, ok10, e10 == "attempt to compare string with number" or e10 == "attempt to compare number with string")
print(11, pcall(table.sort, {{}, {}}))
print(12, pcall(table.sort, {1, 2, 3}, function(a, b) error("cmp failed") end))
print(13, pcall(table.sort, {1, 2, 3}, 42))
-- empty and single-element
t = {}
table.sort(t)
print(14, #t)
t = {"only"}
table.sort(t)
print(15, t[1])
-- sort with __lt metamethod
local mt = {__lt = function(a, b) return a.v < b.v end}
t = {}
for i, v in ipairs({4, 1, 3, 2}) do t[i] = setmetatable({v = v}, mt) end
table.sort(t)
local vs = {}
for i, o in ipairs(t) do vs[i] = o.v end
print(16, j(vs))
-- comparator counting (number of calls is implementation-specific: only check > 0)
local calls = 0
t = {3, 1, 2}
table.sort(t, function(a, b) calls = calls + 1; return a < b end)
print(17, j(t), calls > 0)
-- sorting strings with embedded bytes
t = {"b\0", "b", "a\255", "a"}
table.sort(t)
local bs = {}
for i, s in ipairs(t) do bs[i] = #s .. ":" .. s:byte(1) end
print(18, j(bs))
-- integers vs floats mixed
t = {3, 2.5, 1, 2^53, -2^63, math.mininteger + 1, 0.5}
table.sort(t, function(a, b) return a < b end)
print(19, t[1], t[2], t[3], t[7])
