-- collectgarbage options: only types/booleans/relations are printed
print(1, type(collectgarbage("count")), math.type(collectgarbage("count")))
print(2, collectgarbage("count") > 0)
print(3, collectgarbage())
print(4, collectgarbage("collect"))
print(5, collectgarbage("isrunning"))
print(6, collectgarbage("stop"))
print(7, collectgarbage("isrunning"))
print(8, collectgarbage("restart"))
print(9, collectgarbage("isrunning"))
print(10, type(collectgarbage("step")), type(collectgarbage("step", 0)))
print(11, pcall(collectgarbage, "bogus"))
-- memory after dropping a big table and collecting is lower
collectgarbage()
local before = collectgarbage("count")
local big = {}
for i = 1, 200000 do big[i] = {i} end
local during = collectgarbage("count")
print(12, during > before)
big = nil
collectgarbage()
collectgarbage()
local after = collectgarbage("count")
print(13, after < during, after < before + 1000)
-- a stopped collector still allows allocation; restart and collect
collectgarbage("stop")
local tmp = {}
for i = 1, 10000 do tmp[i] = "s" .. i end
tmp = nil
collectgarbage("restart")
collectgarbage()
print(14, collectgarbage("isrunning"))
-- mode switching returns the previous mode name
print(15, collectgarbage("incremental"))
print(16, collectgarbage("generational"))
print(17, collectgarbage("incremental"))
-- objects reachable only through closures/upvalues survive collection
local function keep()
  local data = {value = "kept"}
  return function() return data.value end
end
local f = keep()
collectgarbage()
print(18, f())
-- strings survive, tables in tables survive
local holder = {inner = {deep = {"x"}}}
collectgarbage()
collectgarbage()
print(19, holder.inner.deep[1])
-- coroutine objects survive while referenced
local co = coroutine.wrap(function() local s = {} for i = 1, 3 do s[i] = i; coroutine.yield(#s) end end)
co()
collectgarbage()
print(20, co(), co())
