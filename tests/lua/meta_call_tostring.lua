-- __call, __tostring, __name, __metatable, __pairs
local C = setmetatable({}, {__call = function(self, a, b) return "called", a, b end})
print(1, C(1, 2))
print(2, C())
-- chained __call: a callable whose __call is itself a callable table
local inner = setmetatable({}, {__call = function(self, x, y) return "inner", x == nil and "nil" or type(x), y end})
local outer = setmetatable({}, {__call = inner})
print(3, outer("arg"))
-- __call with method syntax and in pcall
local obj = setmetatable({n = 5}, {__call = function(self, k) return self.n * k end})
print(4, obj(3), pcall(obj, 4))
-- non-callable
print(5, pcall(function() local t = {} t() end))
print(6, pcall(function() local t = setmetatable({}, {}) t() end))
-- __tostring
local P = setmetatable({x = 1, y = 2}, {__tostring = function(p) return "P(" .. p.x .. "," .. p.y .. ")" end})
print(7, tostring(P), P)
-- __tostring must return a string
local Bad = setmetatable({}, {__tostring = function() return 42 end})
print(8, pcall(tostring, Bad))
-- __name used by tostring when there is no __tostring
local Named = setmetatable({}, {__name = "MyType"})
print(9, tostring(Named):sub(1, 8), #tostring(Named) > 10)
-- __name in error messages (bad argument / arithmetic uses it?)
print(10, pcall(string.rep, Named))
local Bad2 = setmetatable({}, {__tostring = function() return {} end})
print(11, pcall(tostring, Bad2))
-- __tostring is used by print
local Pr = setmetatable({}, {__tostring = function() return "printed via __tostring" end})
print(12, Pr)
-- __tostring with __name present: __tostring wins
local Both = setmetatable({}, {__tostring = function() return "tostring wins" end, __name = "Ignored"})
print(13, tostring(Both))
-- __name that is not a string is ignored
local NotStr = setmetatable({}, {__name = 42})
print(14, tostring(NotStr):sub(1, 7))
-- __metatable protects the metatable
local prot = setmetatable({}, {__metatable = "locked", __index = {k = "v"}})
print(15, getmetatable(prot), prot.k)
print(16, pcall(setmetatable, prot, {}))
print(17, pcall(setmetatable, prot, nil))
local protF = setmetatable({}, {__metatable = false})
print(18, getmetatable(protF), pcall(setmetatable, protF, {}))
-- setmetatable argument checks
print(19, pcall(setmetatable, {}, 1))
print(20, pcall(setmetatable, 1, {}))
print(21, select("#", setmetatable({}, nil)), getmetatable(setmetatable({}, nil)))
-- setmetatable returns its first argument
local tt = {}
print(22, setmetatable(tt, {}) == tt)
-- __pairs
local pp = setmetatable({}, {__pairs = function(t)
  local i = 0
  return function() i = i + 1; if i <= 3 then return i, i * 11 end end, t, nil
end})
local out = {}
for k, v in pairs(pp) do out[#out + 1] = k .. "=" .. v end
print(23, table.concat(out, " "))
-- __pairs returning extra values: only three are used (plus closing value)
local pq = setmetatable({}, {__pairs = function(t) return next, {"only"}, nil end})
for k, v in pairs(pq) do print(24, k, v) end
-- ipairs ignores __pairs
local ip = setmetatable({"a", "b"}, {__pairs = function() error("not used") end})
out = {}
for i, v in ipairs(ip) do out[#out + 1] = v end
print(25, table.concat(out))
-- next ignores __pairs
print(26, next(ip))
-- __index on the metatable itself is not used for metamethod lookup
local mtWithIndex = setmetatable({}, {__index = {__add = function() return "never" end}})
local noadd = setmetatable({}, mtWithIndex)
print(27, pcall(function() return noadd + 1 end))
-- getmetatable returns the real metatable when no __metatable field
local real = {}
print(28, getmetatable(setmetatable({}, real)) == real)
-- __call receives extra results from varargs
local va = setmetatable({}, {__call = function(self, ...) return select("#", ...) end})
print(29, va(1, nil, 3, nil))
-- calling through a field holding a callable table gives proper error names
local holder = {f = setmetatable({}, {__call = function() return "field call" end})}
print(30, holder.f(), holder:f())
