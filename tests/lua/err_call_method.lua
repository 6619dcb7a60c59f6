-- uncaught: call a missing method, via a method of an object
local Obj = {}
Obj.__index = Obj
function Obj:run()
  return self:missing(1)
end
local o = setmetatable({}, Obj)
o:run()
