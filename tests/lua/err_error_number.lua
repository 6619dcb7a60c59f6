-- uncaught: error with a number value (converted to a string message, no position)
local function fail() error(42) end
fail()
