-- The length operator on sequences, growth and shrink
local t = {}
print(1, #t)
for i = 1, 100 do t[i] = i end
print(2, #t)
t[#t] = nil
print(3, #t)
t[#t + 1] = "x"
print(4, #t, t[100])
for i = 100, 51, -1 do t[i] = nil end
print(5, #t)
for i = 50, 1, -1 do t[i] = nil end
print(6, #t, next(t))
t = {n = 0}
print(7, #t)
-- sequence built in reverse order
t = {}
for i = 10, 1, -1 do t[i] = i * i end
print(8, #t, t[10])
-- append pattern
t = {}
for i = 1, 1000 do t[#t + 1] = i end
print(9, #t, t[1000])
-- table.insert / table.remove keep sequences
t = {}
for i = 1, 10 do table.insert(t, i) end
table.insert(t, 1, 0)
table.insert(t, 6, "mid")
print(10, #t, table.concat(t, " "))
print(11, table.remove(t), table.remove(t, 1), table.remove(t, 5), #t)
print(12, table.concat(t, " "))
t = {}
print(13, table.remove(t), #t, table.remove(t, 0), table.remove(t, #t))
t = {1}
print(14, table.remove(t, 1), #t, table.remove(t, 1))
print(15, pcall(table.insert, {1, 2}, 5, "x"))
print(16, pcall(table.insert, {1, 2}, 1, 2, 3))
print(17, pcall(table.remove, {1, 2}, 5))
t = {1, 2, 3}
table.insert(t, #t + 1, 4)
print(18, #t, t[4])
-- # on strings vs tables
print(19, #"abc", #{1, 2, 3}, #{n = 3})
-- length of table with only hash part integer keys
t = {}
t[1] = 1; t[2] = 2; t[3] = 3
print(20, #t)
-- rawlen
print(21, rawlen({1, 2}), rawlen("abcd"), pcall(rawlen, 5))
-- table.unpack
print(22, table.unpack({1, 2, 3}))
print(23, table.unpack({1, 2, 3}, 2))
print(24, table.unpack({1, 2, 3}, 2, 3))
print(25, table.unpack({1, 2, 3}, 3, 2))
print(26, select("#", table.unpack({}, 1, 5)), table.unpack({"a", "b"}, -1, 1))
print(27, pcall(table.unpack, {}, 1, 1e8))
local big = {}
for i = 1, 250 do big[i] = i end
print(28, select("#", table.unpack(big)), (select(250, table.unpack(big))))
