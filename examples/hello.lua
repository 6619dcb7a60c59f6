-- A small tour: closures, tables, metatables, coroutines, string formatting.
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local next_id = counter()

local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y, id = next_id()}, Point) end
function Point.__add(a, b) return Point.new(a.x + b.x, a.y + b.y) end
function Point:__tostring() return string.format("P%d(%g, %g)", self.id, self.x, self.y) end

local p = Point.new(1, 2) + Point.new(3, 4.5)
print("hello from slotjit:", tostring(p))

local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i * i) end
end)
print("squares:", gen(), gen(), gen())
print(("%s has %d chars"):format("slotjit", #"slotjit"))
