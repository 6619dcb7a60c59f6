-- uncaught: a deep traceback with every kind of function name
local M = {}
local up
local function leaf(x)
  local t = nil
  return t[x] .. "never"
end
up = function(x)
  local r = leaf(x)
  return r
end
function M.field(x)
  local r = up(x)
  return r
end
local Obj = {}
function Obj:method(x)
  local r = M.field(x)
  return r
end
function globalFn(x)
  local r = Obj:method(x)
  return r
end
local anon = {function(x)
  local r = globalFn(x)
  return r
end}
local co_result = (function()
  local r = anon[1]("k")
  return r
end)()
