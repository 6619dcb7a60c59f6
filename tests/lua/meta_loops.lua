-- Metamethod loops and limits, metamethods on the metatable of types
local t = {}
t.__index = t
setmetatable(t, t)
print(1, pcall(function() return t.missing end))
local u = {}
u.__newindex = u
setmetatable(u, u)
print(2, pcall(function() u.x = 1 end))
-- __index function that recurses into the same table with rawget is fine
local r = setmetatable({}, {__index = function(tbl, k) return rawget(tbl, "fallback") or "none" end})
print(3, r.a)
r.fallback = "fb"
print(4, r.a)
-- metamethods are looked up raw in the metatable
local mt = {}
local obj = setmetatable({}, mt)
print(5, pcall(function() return obj + 1 end))
mt.__add = function() return "added later" end
print(6, obj + 1)
mt.__add = nil
print(7, pcall(function() return obj + 1 end))
-- changing the metatable changes behavior
setmetatable(obj, {__index = function() return "new mt" end})
print(8, obj.anything)
setmetatable(obj, nil)
print(9, obj.anything, getmetatable(obj))
-- a deep but finite __index chain works
local base = {deep = "found"}
local cur = base
for i = 1, 90 do cur = setmetatable({}, {__index = cur}) end
print(10, cur.deep)
-- metamethod that errors
local E = setmetatable({}, {__index = function(_, k) error("no field " .. k) end})
print(11, pcall(function() return E.foo end))
local E2 = setmetatable({}, {__add = function() error({code = 42}) end})
local ok, e = pcall(function() return E2 + 1 end)
print(12, ok, type(e), e.code)
