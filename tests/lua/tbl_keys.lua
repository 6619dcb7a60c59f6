-- Table keys: normalization of float keys, special keys, errors
local t = {}
t[1] = "int"
print(1, t[1.0], t[1], rawget(t, 1.0))
t[2.0] = "float2"
print(2, t[2], rawget(t, 2), #t)
t[2^53] = "big"
print(3, t[1 << 53], t[2^53])
t[1.5] = "frac"
print(4, t[1.5], t[3 / 2])
t[-0.0] = "negzero"
print(5, t[0], t[0.0], t[-0.0])
print(6, pcall(function() t[0 / 0] = 1 end))
print(7, pcall(function() t[nil] = 1 end))
print(8, t[nil], t[0 / 0])
print(9, pcall(rawset, t, nil, 1))
print(10, pcall(rawset, t, 0 / 0, 1))
local k1, k2 = {}, {}
t = {}
t[k1] = "k1"
t[k2] = "k2"
print(11, t[k1], t[k2], t[{}])
local f = function() end
t[f] = "func"
t[print] = "builtin"
t[true] = "T"
print(12, t[f], t[print], t[true], t[false])
t["1"] = "string one"
t[1] = "number one"
print(13, t["1"], t[1])
t = {}
t.x = 1
t["x"] = 2
print(14, t.x)
local co = coroutine.create(function() end)
t[co] = "thread"
print(15, t[co])
-- keys that are large integers and mininteger
t = {}
t[math.maxinteger] = "max"
t[math.mininteger] = "min"
t[math.maxinteger + 0.0] = "2^63 float"
print(16, t[math.maxinteger], t[math.mininteger], t[2^63], t[-2^63])
-- string keys with equal contents built differently
t = {}
local a = "ab" .. "c"
local b = string.rep("abc", 1)
t[a] = 1
print(17, t[b], t.abc, t["abc"])
local long1 = string.rep("x", 100)
local long2 = string.rep("xx", 50)
t[long1] = "long"
print(18, t[long2])
-- integer-valued float keys in constructors and via rawset
t = {[3.0] = "c"}
rawset(t, 4.0, "d")
print(19, t[3], t[4], rawget(t, 3), rawget(t, 4.0))
local ks = {}
for k in pairs(t) do ks[#ks + 1] = math.type(k) end
table.sort(ks)
print(20, table.concat(ks, ","))
-- nil assignment removes
t = {a = 1}
t.a = nil
print(21, next(t), t.a)
-- reading a missing key is nil, never an error
print(22, ({}).x, ({})[1], ({})[true])
print(23, pcall(function() local x = nil; return x.y end))
print(24, pcall(function() local x = 5; x.y = 1 end))
print(25, pcall(function() local s = "str"; s.y = 1 end))
print(26, pcall(function() return ("str").y end))
