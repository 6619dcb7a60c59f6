local a = 1
local function outer()
  local b = 2
  return function()
    local c = a + b
    return function() return a, b, c, d end
  end
end
local e <const> = 5
local function k() return e, a end
local x <close> = setmetatable({}, {__close = print})
return k
