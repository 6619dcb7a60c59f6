-- uncaught: error with level 0 has no position
local function f() error("no position here", 0) end
f()
