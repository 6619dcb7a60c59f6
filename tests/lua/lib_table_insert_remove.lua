-- table.insert / table.remove: positions, bounds, errors, border cases
local function show(t, n) local s = "" for i = 1, n or #t do s = s .. tostring(t[i]) .. " " end return s end
local t = {}
table.insert(t, "a") table.insert(t, "b") table.insert(t, 1, "z")
print(1, show(t), #t)
table.insert(t, #t + 1, "end")
print(2, show(t))
table.insert(t, 2, "m")
print(3, show(t))
print(4, pcall(table.insert, t, 0, "x"))
print(5, pcall(table.insert, t, #t + 2, "x"))
print(6, pcall(table.insert, t, 1, 2, 3))
print(7, pcall(table.insert, t))
print(8, pcall(table.insert, nil, 1))
print(9, pcall(table.insert, t, "2", "s"), show(t))
print(10, pcall(table.insert, t, 2.5, "s"))
print(11, pcall(table.insert, t, "x", "s"))
print(12, table.remove(t), show(t))
print(13, table.remove(t, 1), show(t))
print(14, table.remove(t, #t + 1), show(t))
print(15, pcall(table.remove, t, #t + 2))
print(16, pcall(table.remove, t, 0))
local e = {}
print(17, table.remove(e), #e)
print(18, table.remove(e, 0), table.remove(e, 1))
print(19, pcall(table.remove, e, 2))
local z = {[0] = "zero"}
print(20, table.remove(z, 0), z[0])
local g = {n = 1}
print(21, table.remove(g), g.n)
local h = {1, 2, 3}
h[5] = 5
print(22, #h == 3 or #h == 5)
table.insert(h, 1, 0)
print(23, h[1], h[2], h[3], h[4])
for i = 1, 5 do table.insert(h, 1, -i) end
print(24, show(h, 9))
while #h > 0 do table.remove(h, 1) end
print(25, #h, next(h) ~= nil)
print(26, pcall(table.remove, {}, -1))
print(27, select('#', table.remove({})))
