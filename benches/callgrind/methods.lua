local A = {}
A.__index = A
function A.new(x) return setmetatable({x = x}, A) end
function A:get() return self.x end
function A:add(n) self.x = self.x + n return self end
local o = A.new(0)
for i = 1, 100000 do o:add(1):get() end
print(o:get())
