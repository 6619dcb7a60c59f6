-- table.sort errors: bad comparators, mixed types, invalid order functions
print(1, pcall(table.sort, {3, 1, "x"}))
print(2, pcall(table.sort, {{}, {}}))
print(3, pcall(table.sort, {1, 2, 3}, 42))
print(4, pcall(table.sort, nil))
print(5, pcall(table.sort, {1, nil, 3}))
local ok, err = pcall(table.sort, {5, 4, 3, 2, 1, 6, 7, 8, 9, 10, 11, 12}, function(a, b) return true end)
print(6, ok, err)
print(7, pcall(table.sort, {3, 2, 1}, function(a, b) error("cmp failed") end))
print(8, select(2, pcall(table.sort, {3, 2, 1}, function(a, b) error({code = 1}) end)).code)
local t = {1, 2, 3}
print(9, pcall(table.sort, t, function(a, b) return a.x < b end))
-- sorting with a comparator that yields a non-boolean still works
local u = {3, 1, 2}
table.sort(u, function(a, b) if a < b then return 1 end return nil end)
print(10, table.concat(u, ","))
local big = {}
for i = 1, 120 do big[i] = (i * 13) % 120 end
print(11, pcall(table.sort, big, function(a, b) return a <= b end))
local sorted = true
for i = 2, #big do if big[i] < big[i - 1] then sorted = false end end
print(12, "done")
print(13, pcall(table.sort, setmetatable({}, {__len = function() return 2^31 end})))
print(14, pcall(table.sort, setmetatable({}, {__len = function() return "x" end})))
print(15, pcall(table.sort, setmetatable({}, {__len = function() return 2.5 end})))
