-- __index and __newindex
local defaults = {color = "red", size = 1}
local t = setmetatable({size = 5}, {__index = defaults})
print(1, t.color, t.size, t.missing, rawget(t, "color"))
-- function __index receives table and key
local log = {}
local f = setmetatable({}, {__index = function(tbl, k) log[#log + 1] = tostring(k); return k .. "!" end})
print(2, f.a, f[1], f.a, table.concat(log, ","))
-- chains of __index tables
local A = {a = "A"}
local B = setmetatable({b = "B"}, {__index = A})
local C = setmetatable({c = "C"}, {__index = B})
local D = setmetatable({}, {__index = C})
print(3, D.a, D.b, D.c, D.d)
-- __index chain mixing table and function
local E = setmetatable({}, {__index = setmetatable({}, {__index = function(_, k) return "fn:" .. k end})})
print(4, E.x)
-- __index not called for existing keys (even false)
local cnt = 0
local g = setmetatable({present = false}, {__index = function() cnt = cnt + 1; return "idx" end})
print(5, g.present, g.absent, cnt)
-- __newindex table: assignment goes to the other table
local store = {}
local p = setmetatable({}, {__newindex = store})
p.x = 1
print(6, rawget(p, "x"), store.x, p.x)
-- __newindex function
log = {}
local q = setmetatable({}, {__newindex = function(tbl, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(tbl, k, v * 2) end})
q.a = 1
q.a = 5      -- existing key: no metamethod
q.b = 3
print(7, q.a, q.b, table.concat(log, " "))
-- __newindex chain (table whose metatable also has __newindex)
local final = {}
local mid = setmetatable({}, {__newindex = final})
local front = setmetatable({}, {__newindex = mid})
front.z = 26
print(8, rawget(front, "z"), rawget(mid, "z"), final.z)
-- read-only table pattern
local function readonly(tt)
  return setmetatable({}, {__index = tt, __newindex = function(_, k) error("attempt to update read-only field " .. tostring(k), 2) end})
end
local ro = readonly({k = 1})
print(9, ro.k, pcall(function() ro.k = 2 end))
-- rawset / rawget bypass
local r = setmetatable({}, {__index = function() return "meta" end, __newindex = function() error("no") end})
rawset(r, "k", "raw")
print(10, r.k, rawget(r, "other"), r.other)
-- __index on numeric keys / array access
local arr = setmetatable({1, 2, 3}, {__index = function(_, i) return i * 100 end})
print(11, arr[2], arr[4], #arr)
-- __index receives the original key: an integral float stays a float
local seen
local nk = setmetatable({}, {__index = function(_, k) seen = math.type(k); return k end})
local _ = nk[3.0]
print(12, seen)
-- __index is a table with its own __index = function
local proto = setmetatable({}, {__index = function(_, k) return "deep " .. k end})
local inst = setmetatable({}, {__index = proto})
print(13, inst.thing)
-- the string metatable
local smt = getmetatable("")
print(14, type(smt), smt.__index == string, ("abc").len == string.len)
-- __index loop detection: very long chains are fine up to a limit
local base = {v = "bottom"}
local cur = base
for i = 1, 50 do cur = setmetatable({}, {__index = cur}) end
print(15, cur.v)
-- __newindex is not called when the key exists with a non-nil value
local calls = 0
local ni = setmetatable({x = 1}, {__newindex = function() calls = calls + 1 end})
ni.x = 2; ni.y = 3; ni.x = nil; ni.x = 4
print(16, calls, ni.x, ni.y)
-- __index on a table with __index = the same table (class pattern)
local Class = {}
Class.__index = Class
Class.greet = function() return "hello" end
local o = setmetatable({}, Class)
print(17, o.greet(), o.nothing)
-- indexing with nil key reads nil, writing errors even with __newindex? (meta handles it)
local nn = setmetatable({}, {__newindex = function(_, k, v) end})
print(18, nn[nil], pcall(function() nn[nil] = 1 end))
-- __index on a non-table via debug not available: numbers have no metatable
print(19, getmetatable(1), getmetatable(nil), getmetatable(print))
