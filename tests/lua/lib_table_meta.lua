-- table functions respect __index / __newindex / __len (lua_geti/lua_seti/luaL_len)
local log = {}
local store = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "r" .. k return store[k] end,
  __newindex = function(_, k, v) log[#log + 1] = "w" .. k store[k] = v end,
  __len = function() return #store end,
})
table.insert(proxy, "a")
table.insert(proxy, "b")
table.insert(proxy, 1, "c")
print(1, table.concat(store, ","), table.concat(log, " "))
log = {}
print(2, table.remove(proxy, 1), table.concat(store, ","), table.concat(log, " "))
log = {}
print(3, table.concat(proxy, "+"), table.concat(log, " "))
log = {}
print(4, table.unpack(proxy))
print(5, table.concat(log, " "))
-- __len returning a float with integer value, or a string
print(6, table.concat(setmetatable({}, {__len = function() return 2.0 end, __index = function(_, k) return k end}), ","))
print(7, pcall(table.insert, setmetatable({}, {__len = function() return "3" end}), 1))
print(8, pcall(table.insert, setmetatable({}, {__len = function() return {} end}), 1))
-- non-table values with metatables are not accepted without the metamethods
print(9, pcall(table.insert, "abc", 1))
print(10, pcall(table.concat, 42))
print(11, pcall(table.remove, true))
-- rawlen-vs-len: #t with __len
local t = setmetatable({1, 2, 3}, {__len = function() return 1 end})
table.insert(t, "x")
print(12, rawget(t, 1), rawget(t, 2), rawget(t, 3), rawget(t, 4))
print(13, table.remove(t), rawget(t, 1))
local named = setmetatable({}, {__name = "MyType"})
print(14, pcall(table.sort, setmetatable({}, {__name = "Thing", __len = function() return 0 end})))
