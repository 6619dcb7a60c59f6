-- uncaught: error object with __tostring
local E = setmetatable({msg = "custom failure"}, {__tostring = function(e) return "E: " .. e.msg end})
local function thrower() error(E) end
thrower()
