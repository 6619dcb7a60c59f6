-- __eq, __lt, __le
local log = {}
local E = {__eq = function(a, b) log[#log + 1] = "eq"; return a.k == b.k end}
local a, b, c = setmetatable({k = 1}, E), setmetatable({k = 1}, E), setmetatable({k = 2}, E)
print(1, a == b, a ~= b, a == c, a ~= c, #log)
-- __eq not called for identical objects (primitive equality first)
log = {}
print(2, a == a, #log)
-- __eq only for two tables (or two userdata): never for table vs other types
log = {}
print(3, a == 1, a == "x", a == nil, 1 == a, #log)
-- __eq from the second operand if the first has none
local plain = {k = 1}
log = {}
print(4, plain == a, a == plain, #log)
-- result converted to boolean
local T = {__eq = function() return "yes" end}
local x, y = setmetatable({}, T), setmetatable({}, T)
print(5, x == y, x ~= y)
local F = {__eq = function() return nil end}
print(6, setmetatable({}, F) == setmetatable({}, F))
-- __lt and __le
local O = {}
O.__lt = function(p, q) log[#log + 1] = "lt"; return p.v < q.v end
O.__le = function(p, q) log[#log + 1] = "le"; return p.v <= q.v end
local function o(v) return setmetatable({v = v}, O) end
log = {}
print(7, o(1) < o(2), o(2) < o(1), o(1) <= o(1), o(2) <= o(1))
print(8, o(1) > o(2), o(2) >= o(1), table.concat(log, ","))
-- __le missing: lua5.4 as built by default (LUA_COMPAT_5_3 -> LUA_COMPAT_LT_LE)
-- falls back to "not (b < a)" using __lt
local OnlyLt = {__lt = function(p, q) return p.v < q.v end}
local p1, p2 = setmetatable({v = 1}, OnlyLt), setmetatable({v = 2}, OnlyLt)
print(9, p1 < p2, pcall(function() return p1 <= p2 end))
-- mixed: table vs number uses the table's metamethod
local M = {__lt = function(p, q)
  local pv = type(p) == "table" and p.v or p
  local qv = type(q) == "table" and q.v or q
  return pv < qv
end}
local m5 = setmetatable({v = 5}, M)
print(10, m5 < 10, 3 < m5, m5 > 1, pcall(function() return m5 <= 10 end))
-- results converted to booleans
local B = {__lt = function() return 1 end, __le = function() return false end}
local b1, b2 = setmetatable({}, B), setmetatable({}, B)
print(11, b1 < b2, b1 <= b2, b1 > b2, b1 >= b2)
-- string comparison does not use metamethods
print(12, "a" < "b", pcall(function() return "a" < 1 end))
-- __eq with different metatables: first operand's metamethod is tried first
local E1 = {__eq = function() return true end}
local E2 = {__eq = function() return false end}
local q1, q2 = setmetatable({}, E1), setmetatable({}, E2)
print(13, q1 == q2, q2 == q1)
-- __lt with mixed metatables
local L1 = {__lt = function() return "L1" end}
local L2 = {__lt = function() return false end}
print(14, setmetatable({}, L1) < setmetatable({}, L2), setmetatable({}, L2) < setmetatable({}, L1))
-- rawequal ignores __eq
print(15, rawequal(a, b), rawequal(a, a))
-- __eq is used by table lookups? no: keys use raw equality
local tk = {}
tk[a] = "a"
print(16, tk[a], tk[b])
-- sort uses __lt
local arr = {o(3), o(1), o(2)}
table.sort(arr)
print(17, arr[1].v, arr[2].v, arr[3].v)
-- __le used for >= with swapped operands
log = {}
local _ = o(1) >= o(2)
print(18, table.concat(log, ","))
-- comparing tables without metamethods errors
print(19, pcall(function() return {} < {} end))
print(20, pcall(function() return {} <= setmetatable({}, {__lt = function() return true end}) end))
