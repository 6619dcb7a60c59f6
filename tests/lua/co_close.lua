-- coroutine.close, pending <close> variables, errors, yield across pcall
local log = {}
local function closer(name)
  return setmetatable({}, {__close = function(_, err) log[#log + 1] = name .. ":" .. tostring(err) end})
end
local co = coroutine.create(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  coroutine.yield(1)
  log[#log + 1] = "not reached"
end)
print(1, coroutine.resume(co))
print(2, coroutine.close(co), coroutine.status(co))
print(3, table.concat(log, " "))
-- closing a dead/finished coroutine
print(4, coroutine.close(co))
local fin = coroutine.create(function() return 1 end)
coroutine.resume(fin)
print(5, coroutine.close(fin))
-- closing a never-started coroutine
print(6, coroutine.close(coroutine.create(function() end)))
-- closing a coroutine that died with an error returns false + error
local bad = coroutine.create(function() error("died", 0) end)
print(7, coroutine.resume(bad))
print(8, coroutine.close(bad))
-- error in __close during coroutine.close
log = {}
local co2 = coroutine.create(function()
  local x <close> = setmetatable({}, {__close = function() error("close failed", 0) end})
  local y <close> = closer("y")
  coroutine.yield()
end)
coroutine.resume(co2)
print(9, coroutine.close(co2))
print(10, table.concat(log, " "), coroutine.status(co2))
-- cannot close a running coroutine
local selfco
selfco = coroutine.create(function() return pcall(coroutine.close, selfco) end)
print(11, coroutine.resume(selfco))
-- yield across pcall inside a coroutine
local co3 = coroutine.create(function()
  local ok, v = pcall(function()
    local got = coroutine.yield("from inside pcall")
    if got == "raise" then error("raised after yield", 0) end
    return got
  end)
  coroutine.yield("pcall returned", ok, v)
  local ok2, v2 = pcall(function()
    local got = coroutine.yield("second pcall")
    error("raised: " .. got, 0)
  end)
  return "end", ok2, v2
end)
print(12, coroutine.resume(co3))
print(13, coroutine.resume(co3, "value"))
print(14, coroutine.resume(co3))
print(15, coroutine.resume(co3, "x"))
-- yield across xpcall with a handler
local co4 = coroutine.create(function()
  return xpcall(function()
    coroutine.yield("yielded in xpcall")
    error("after", 0)
  end, function(m) return "handled " .. m end)
end)
print(16, coroutine.resume(co4))
print(17, coroutine.resume(co4))
-- yield inside a metamethod
local co5 = coroutine.create(function()
  local t = setmetatable({}, {__index = function(_, k) return coroutine.yield("need " .. k) end})
  return "value is " .. t.answer
end)
print(18, coroutine.resume(co5))
print(19, coroutine.resume(co5, 42))
-- yield inside a generic-for iterator
local co6 = coroutine.create(function()
  local acc = {}
  for v in function(_, c) c = (c or 0) + 1; if c <= 3 then coroutine.yield(c); return c end end do acc[#acc + 1] = v end
  return table.concat(acc, ",")
end)
local r = {}
while true do
  local ok, v = coroutine.resume(co6)
  r[#r + 1] = tostring(v)
  if coroutine.status(co6) == "dead" then break end
end
print(20, table.concat(r, " "))
-- wrap: errors propagate with position
local w = coroutine.wrap(function() local n = nil; return n + 1 end)
print(21, pcall(w))
local w2 = coroutine.wrap(function() error({tag = "obj"}) end)
local ok, e = pcall(w2)
print(22, ok, type(e), e.tag)
-- close variables in coroutine closed when it errors
log = {}
local co7 = coroutine.create(function()
  local z <close> = closer("z")
  error("co error", 0)
end)
print(23, coroutine.resume(co7))
-- (lua5.4: an erroring coroutine does not run its pending closes; close() does)
print(24, table.concat(log, " "), coroutine.status(co7))
print(240, coroutine.close(co7))
print(241, table.concat(log, " "))
-- yield inside a <close> handler is allowed in 5.4.4? (just check status of closing normally)
local co8 = coroutine.create(function()
  do
    local c <close> = setmetatable({}, {__close = function() coroutine.yield("in close") end})
  end
  return "after close"
end)
print(25, coroutine.resume(co8))
print(26, coroutine.resume(co8))
