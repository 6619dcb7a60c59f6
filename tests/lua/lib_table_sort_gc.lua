-- table.sort / insert / remove / concat stay correct while the collector
-- runs inside comparators and metamethods (values in flight must be rooted)
local t = {}
for i = 1, 400 do t[i] = "s" .. ((i * 7919) % 400) end
local calls = 0
table.sort(t, function(a, b)
  calls = calls + 1
  if calls % 50 == 0 then collectgarbage() end
  local junk = {}
  for j = 1, 5 do junk[j] = {a .. j} end
  return a < b
end)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
print(1, ok, t[1], t[400], #t)
local fresh = setmetatable({}, {
  __index = function(_, k) collectgarbage() return "v" .. k end,
  __len = function() return 30 end,
})
print(2, table.concat(fresh, ",", 1, 5), #table.concat(fresh))
local proxy_store = {}
local proxy = setmetatable({}, {
  __index = function(_, k) collectgarbage() return proxy_store[k] end,
  __newindex = function(_, k, v) collectgarbage() proxy_store[k] = v end,
  __len = function() return #proxy_store end,
})
for i = 1, 20 do table.insert(proxy, 1, "x" .. i) end
print(3, table.concat(proxy_store, " "))
for i = 1, 5 do table.remove(proxy, 2) end
print(4, table.concat(proxy_store, " "))
local objs = {}
for i = 1, 50 do objs[i] = setmetatable({v = (i * 31) % 50}, {__lt = function(a, b) collectgarbage() return a.v < b.v end}) end
table.sort(objs)
local vs = {}
for i = 1, 50 do vs[i] = objs[i].v end
print(5, table.concat(vs, " "))
print(6, select("#", table.unpack(fresh)), (table.unpack(fresh, 30)))
