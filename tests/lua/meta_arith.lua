-- Arithmetic and bitwise metamethods, operand order, __unm/__bnot
local V = {}
V.__index = V
local function v(x) return setmetatable({x = x}, V) end
local function val(o) if type(o) == "table" then return o.x and "v" .. o.x or "T" else return tostring(o) end end
local log = {}
for _, ev in ipairs({"add", "sub", "mul", "div", "mod", "pow", "unm", "idiv",
                      "band", "bor", "bxor", "shl", "shr", "bnot"}) do
  V["__" .. ev] = function(a, b)
    log[#log + 1] = ev .. "(" .. val(a) .. "," .. val(b) .. ")"
    return ev
  end
end
local a, b = v(1), v(2)
print(1, a + b, a - b, a * b, a / b, a % b, a ^ b, a // b)
print(2, a & b, a | b, a ~ b, a << b, a >> b)
print(3, -a, ~a)
print(4, table.concat(log, " "))
log = {}
-- mixed operands: metamethod from either side, operand order preserved
print(5, a + 1, 1 + a, "s" - a, a * 2.5, 3 // a, a % "7")
print(6, table.concat(log, " "))
log = {}
print(7, 1 & a, a | 2, 1.5 ~ a, "x" << a, a >> {})
print(8, table.concat(log, " "))
-- unary: second operand is the operand itself
log = {}
local _ = -a
_ = ~a
print(9, table.concat(log, " "))
-- first operand's metamethod wins
local W = {__add = function() return "W.add" end}
local w = setmetatable({}, W)
print(10, a + w, w + a)
-- second operand's metamethod if the first has none
local plain = {}
print(11, plain + a == "add", pcall(function() return plain + plain end))
-- metamethod results are not adjusted: can return any type
local R = setmetatable({}, {__add = function() return nil end, __sub = function() return 1, 2, 3 end})
print(12, R + 1, R - 1)
-- numbers with metamethod-bearing tables in arithmetic chains
local N = {}
N.__index = N
local function n(x) return setmetatable({x = x}, N) end
N.__add = function(p, q)
  local px = type(p) == "table" and p.x or p
  local qx = type(q) == "table" and q.x or q
  return n(px + qx)
end
N.__mul = function(p, q)
  local px = type(p) == "table" and p.x or p
  local qx = type(q) == "table" and q.x or q
  return n(px * qx)
end
N.__unm = function(p) return n(-p.x) end
local r = n(2) * 3 + 1 + n(10) * n(2) + -n(5)
print(13, r.x)
-- string operands with arithmetic metamethods on the table side
print(14, (n(1) + "2").x)
-- __idiv / __mod with zero: metamethod is called, no division error
local Z = setmetatable({}, {__idiv = function() return "idiv0" end, __mod = function() return "mod0" end, __div = function() return "div0" end})
print(15, Z // 0, Z % 0, Z / 0)
-- bitwise metamethod is used for non-integral floats only if an operand is not a number
print(16, pcall(function() return 1.5 | 1 end))
local BW = setmetatable({}, {__bor = function(p, q) return "bor!" end})
print(17, 1.5 | BW, BW | 1.5)
-- __concat receives operands unchanged
local CC = setmetatable({}, {__concat = function(p, q)
  return (type(p) == "table" and "T" or math.type(p) or p) .. "|" .. (type(q) == "table" and "T" or math.type(q) or q)
end})
print(18, CC .. 1, 1.0 .. CC, "s" .. CC, CC .. CC)
-- __len
local L = setmetatable({1, 2, 3}, {__len = function(t) return "len:" .. rawlen(t) end})
print(19, #L, rawlen(L))
local L2 = setmetatable({}, {__len = function() return 1, 2 end})
print(20, #L2)
-- __unm on strings: coercion
print(21, -"2", -"2.5", pcall(function() return -"abc" end))
