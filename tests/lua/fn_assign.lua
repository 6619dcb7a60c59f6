-- Multiple assignment: evaluation order, adjustment, swaps
local a, b, c = 1, 2
print(1, a, b, c)
a, b = 10, 20, 30
print(2, a, b)
a, b = b, a
print(3, a, b)
local t = {1, 2, 3}
local i = 1
i, t[i] = i + 1, 20
print(4, i, t[1], t[2])
-- all expressions are evaluated before any assignment
local x, y = 1, 2
x, y = y, x
print(5, x, y)
local function three() return 1, 2, 3 end
local p, q, r, s = three()
print(6, p, q, r, s)
p, q, r, s = 0, three()
print(7, p, q, r, s)
p, q, r, s = three(), 0
print(8, p, q, r, s)
p, q = (three())
print(9, p, q)
-- swap table fields
t = {a = 1, b = 2}
t.a, t.b = t.b, t.a
print(10, t.a, t.b)
-- assignment to a global and a local with the same name
g = "global"
local g2 = g
do local g = "local"; print(11, g, _ENV.g) end
print(12, g, g2)
-- evaluation order of function arguments: left to right
local trace = {}
local function tr(v) trace[#trace + 1] = v; return v end
local function f(...) return select("#", ...) end
f(tr(1), tr(2), tr(3))
print(13, table.concat(trace, ","))
-- table constructor evaluated left to right
trace = {}
local tt = {tr("a"), k = tr("b"), tr("c"), [tr("d")] = tr("e")}
print(14, table.concat(trace, ","))
-- binary operators: left operand evaluated first
trace = {}
local sum = tr(1) + tr(2) * tr(3)
print(15, sum, table.concat(trace, ","))
-- nested multiple assignment with calls
local function pair() return "p1", "p2" end
local m1, m2, m3 = pair(), pair()
print(16, m1, m2, m3)
-- local shadowing within the same statement list
local v = 1
local v = v + 1
print(17, v)
local w, w2 = 5
local w, w2 = w2, w
print(18, w, w2)
-- assignment to upvalue and local in one statement
local up = 0
local function setboth() local lo; up, lo = 5, 6; return lo end
print(19, setboth(), up)
-- many targets
local n1, n2, n3, n4, n5, n6, n7, n8 = 1, 2, 3, 4, 5, 6, 7, 8
n8, n7, n6, n5, n4, n3, n2, n1 = n1, n2, n3, n4, n5, n6, n7, n8
print(20, n1, n2, n3, n4, n5, n6, n7, n8)
-- global assignments
G1, G2 = "x", "y"
print(21, G1, G2, _G.G1, _ENV == _G)
-- indexing chain assignment
local deep = {a = {b = {c = {}}}}
deep.a.b.c.d = "deep"
deep["a"]["b"].e = deep.a.b.c.d
print(22, deep.a.b.c.d, deep.a.b.e)
-- compound: t[i], i = ...
t = {}
i = 1
t[i], i = "first", 2
print(23, t[1], t[2], i)
