-- next / pairs / ipairs, deterministic uses only
local t = {10, 20, 30, 40}
local out = {}
for i, v in ipairs(t) do out[#out + 1] = i .. "=" .. v end
print(1, table.concat(out, " "))
out = {}
for k, v in pairs(t) do out[#out + 1] = k .. "=" .. v end
print(2, table.concat(out, " "))
-- next on a pure sequence goes in order
local k, v = next(t)
print(3, k, v)
k, v = next(t, k)
print(4, k, v)
print(5, next(t, 4), next({}), next({}, nil))
print(6, pcall(next, t, "nosuchkey"))
-- ipairs stops at first nil
t = {1, 2, nil, 4}
local n = 0
for _ in ipairs(t) do n = n + 1 end
print(7, n)
-- pairs over hash keys: collect and sort for determinism
t = {x = 1, y = 2, z = 3, w = 4, [1] = "a", [2] = "b"}
local keys = {}
for key in pairs(t) do keys[#keys + 1] = tostring(key) end
table.sort(keys)
print(8, table.concat(keys, ","))
-- assigning nil to existing fields during traversal is allowed
t = {}
for i = 1, 100 do t["k" .. i] = i end
local count, sum = 0, 0
for key, val in pairs(t) do
  count = count + 1
  sum = sum + val
  t[key] = nil
end
print(9, count, sum, next(t))
-- modifying existing fields during traversal
t = {a = 1, b = 2, c = 3}
for key, val in pairs(t) do t[key] = val * 10 end
print(10, t.a, t.b, t.c)
-- clearing every other element of an array while iterating with pairs
t = {}
for i = 1, 20 do t[i] = i end
for i, val in pairs(t) do
  if i % 2 == 0 then t[i] = nil end
end
local s = 0
for _, val in pairs(t) do s = s + val end
print(11, s)
-- ipairs respects __index
local proxy = setmetatable({}, {__index = function(_, i) if i <= 5 then return i * i end end})
out = {}
for i, val in ipairs(proxy) do out[#out + 1] = val end
print(12, table.concat(out, ","))
-- the generic for with next directly
t = {"a", "b", "c"}
out = {}
for key, val in next, t do out[#out + 1] = key .. val end
print(13, table.concat(out))
-- ipairs on strings errors? (ipairs accepts any value; indexing a string gives nil)
print(14, pcall(function() for i, c in ipairs("abc") do return i, c end return "none" end))
print(15, pcall(function() for i in ipairs(nil) do end end))
print(16, pcall(function() for k in pairs(nil) do end end))
-- counting keys of a mixed table
t = {1, 2, 3, a = 1, b = 2, [1.5] = 3, [true] = 4}
n = 0
for _ in pairs(t) do n = n + 1 end
print(17, n)
-- pairs returns next, t, nil
local f, st, init = pairs(t)
print(18, f == next, st == t, init)
local f2, st2, init2 = ipairs(t)
print(19, type(f2), st2 == t, init2)
print(20, f2(t, 0), f2(t, 3))
