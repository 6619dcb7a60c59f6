-- <const> and <close> local attributes
local K <const> = 10
local S <const> = "str"
local F <const> = 2.5
print(1, K * 2, S .. "!", F, K // 3)
local function usesConst() return K + 1 end
print(2, usesConst())
local N <const> = nil
print(3, N)
local log = {}
local function mk(name)
  return setmetatable({name = name}, {__close = function(o, err)
    log[#log + 1] = o.name .. (err ~= nil and ("(" .. tostring(err) .. ")") or "")
  end})
end
-- closed in reverse order at end of block
do
  local a <close> = mk("a")
  local b <close> = mk("b")
  local c <close> = mk("c")
  log[#log + 1] = "body"
end
print(4, table.concat(log, " "))
-- nil and false are allowed as values
log = {}
do
  local x <close> = nil
  local y <close> = false
  local z <close> = mk("z")
end
print(5, table.concat(log, " "))
-- closed on return, return values computed before closing
log = {}
local function ret()
  local r <close> = mk("r")
  return "value", #log
end
print(6, ret())
print(7, table.concat(log, " "))
-- closed on break
log = {}
for i = 1, 3 do
  local l <close> = mk("loop" .. i)
  if i == 2 then break end
end
print(8, table.concat(log, " "))
-- closed on error, receiving the error object; error propagates
log = {}
local ok, err = pcall(function()
  local e1 <close> = mk("e1")
  local e2 <close> = mk("e2")
  error("oops", 0)
end)
print(9, ok, err, table.concat(log, " "))
-- error object that is a table
log = {}
local eobj = {code = 7}
ok, err = pcall(function()
  local t <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = tostring(e == eobj) end})
  error(eobj)
end)
print(10, ok, err == eobj, table.concat(log))
-- error inside __close replaces the original error
log = {}
ok, err = pcall(function()
  local a <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "a saw " .. tostring(e) end})
  local b <close> = setmetatable({}, {__close = function(_, e) error("close error", 0) end})
  error("original", 0)
end)
print(11, ok, err, table.concat(log, " "))
-- error inside __close during normal exit
ok, err = pcall(function()
  local a <close> = setmetatable({}, {__close = function() error("from close", 0) end})
  return "normal"
end)
print(12, ok, err)
-- non-closable value is an error at the declaration
print(13, pcall(function() local x <close> = {} end))
print(14, pcall(function() local x <close> = 42 end))
-- __close must exist at the declaration, but is fetched again when closing
log = {}
do
  local mt = {__close = function() log[#log + 1] = "first" end}
  local o <close> = setmetatable({}, mt)
  mt.__close = function() log[#log + 1] = "second" end
end
print(15, table.concat(log, " "))
-- const upvalue in nested functions and loops
local limit <const> = 3
local acc = {}
for i = 1, limit do acc[i] = function() return i * limit end end
print(16, acc[1](), acc[3]())
-- close variables in nested blocks of a loop with goto-continue
log = {}
for i = 1, 3 do
  local outer <close> = mk("o" .. i)
  do
    local inner <close> = mk("i" .. i)
    if i == 2 then goto continue end
  end
  log[#log + 1] = "after" .. i
  ::continue::
end
print(17, table.concat(log, " "))
-- tail call is not a tail call when there are pending closes
log = {}
local function withClose()
  local x <close> = mk("x")
  return (function() log[#log + 1] = "callee"; return "r" end)()
end
print(18, withClose(), table.concat(log, " "))
-- const folding of constant expressions
local A <const> = 2
local B <const> = A * 3 + 1
print(19, B, math.type(B))
