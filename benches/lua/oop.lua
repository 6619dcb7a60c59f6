-- Benchmark: method calls (classes with metatables/__index, inheritance, closures).
local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({x = x, y = y}, Vec) end
function Vec:add(o) return Vec.new(self.x + o.x, self.y + o.y) end
function Vec:scale(k) return Vec.new(self.x * k, self.y * k) end
function Vec:dot(o) return self.x * o.x + self.y * o.y end
Vec.__add = Vec.add

local Shape = {}
Shape.__index = Shape
function Shape.new(name) return setmetatable({name = name, moves = 0}, Shape) end
function Shape:move() self.moves = self.moves + 1 end
function Shape:area() return 0 end

local Rect = setmetatable({}, {__index = Shape})
Rect.__index = Rect
function Rect.new(w, h) local r = Shape.new("rect"); r.w, r.h = w, h; return setmetatable(r, Rect) end
function Rect:area() return self.w * self.h end

local Circle = setmetatable({}, {__index = Shape})
Circle.__index = Circle
function Circle.new(r) local c = Shape.new("circle"); c.r = r; return setmetatable(c, Circle) end
function Circle:area() return 3 * self.r * self.r end

local Counter = {}
Counter.__index = Counter
function Counter.new() return setmetatable({n = 0}, Counter) end
function Counter:inc(k) self.n = self.n + (k or 1); return self end
function Counter:get() return self.n end

local N = tonumber(arg and arg[1]) or 600000
local acc = Vec.new(0, 0)
local d = 0
for i = 1, N do
  local v = Vec.new(i % 7, i % 11)
  acc = acc + v:scale(2)
  d = d + v:dot(acc) % 1000
end
local shapes = {}
for i = 1, 100 do shapes[i] = (i % 2 == 0) and Rect.new(i, i + 1) or Circle.new(i) end
local area = 0
for round = 1, math.floor(N / 100) do
  for i = 1, #shapes do
    local s = shapes[i]
    s:move()
    area = area + s:area()
  end
end
local c = Counter.new()
for i = 1, N do c:inc():inc(i % 3) end
local check = acc.x .. " " .. acc.y .. " " .. d .. " " .. area .. " " .. shapes[1].moves .. " " .. c:get()
if N == 600000 then assert(check == "3599994 5999980 294070968 4045200000 6000 1200000", "oop checksum mismatch: " .. check) end
print("oop " .. N .. ": " .. check)
