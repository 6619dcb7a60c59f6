-- String keys held in registers (GETTABLE/SETTABLE, not constants): short
-- strings go through the same inline lookups as fields, long strings and
-- everything with metamethods through the interpreter.
local words = {}
for w in ("the quick brown fox jumps over the lazy dog the end"):gmatch("%a+") do
  words[#words + 1] = w
end
local counts = {}
for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, "=", counts[k], " ") end
print()

-- built keys, overwritten, removed and read back
local t = {}
for i = 1, 300 do t["key" .. i] = i end
for i = 1, 300, 3 do t["key" .. i] = nil end
for i = 1, 300, 6 do t["key" .. i] = -i end
local sum, n = 0, 0
for i = 1, 300 do local v = t["key" .. i]; if v then sum = sum + v; n = n + 1 end end
print(sum, n)

-- long strings (not interned) as keys
local long = string.rep("x", 60)
local lt = {}
lt[long] = 1
lt[long .. "y"] = 2
print(lt[string.rep("x", 60)], lt[long .. "y"], lt[string.rep("x", 61)])

-- __index / __newindex with register keys
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) return "default:" .. k end,
  __newindex = function(tb, k, v) log[#log + 1] = k; rawset(tb, k, v) end,
})
local names = {"alpha", "beta", "alpha"}
for _, k in ipairs(names) do proxy[k] = #k end
print(proxy.alpha, proxy[names[2]], proxy["gamma"], table.concat(log, ","))
local chain = setmetatable({}, {__index = setmetatable({mid = "m"}, {__index = {deep = "d"}})})
for _, k in ipairs({"mid", "deep", "none"}) do io.write(tostring(chain[k]), " ") end
print()

-- string methods through a register key, and errors naming the key
local s = "hello"
local m = "upper"
print(s[m](s), ("abc")["len"]("abcd"))
print(pcall(function() local k = "field"; local nothing; return nothing[k] end))
print(pcall(function() local k = "field"; local num = 3; num[k] = 1 end))
